#pragma once

// The station_bench modes besides the API load run (main.cpp).

class QCommandLineParser;

namespace bench {

int runMedia(const QCommandLineParser &parser);  // --mode media
int runPaths(const QCommandLineParser &parser);  // --mode paths
int runSoak(const QCommandLineParser &parser);   // --soak SECONDS
int runPeer(const QCommandLineParser &parser);   // --mode peer: the station against a Node.js ws server

} // namespace bench
