#pragma once

// The soak's hostile peers (issue 12): beside the polite connections, from other
// loopback addresses, a slow reader and a ping flooder. Both are raw sockets
// (QWebSocket can neither bind a source address nor read slower than it is fed)
// run by their own threads until stop(); each reconnects after being dropped.
//
// - slow reader (127.0.0.2 by default): authenticates, subscribes, asks for
//   answers of a few KB (get_camera_list, get_system_status, list_recordings)
//   20 times a second and reads ~1 KB/s through a 4 KB receive buffer: below
//   server.min_read_rate_bytes_per_s (4096) for longer than
//   server.slow_read_timeout_s (20 s), so the station must drop it.
// - ping flooder (127.0.0.3): never authenticates, never reads after the
//   upgrade, sends 125-byte ping frames as fast as the socket takes them. The
//   station must stop reading from it (its sends block: "throttled") and close it.

#include <QByteArray>
#include <QList>
#include <QString>

#include <atomic>
#include <mutex>
#include <thread>

namespace bench {

class HostilePeers
{
public:
    struct Options {
        quint16 port = 0;          // the station's API port on 127.0.0.1
        QByteArray token;          // an admin JWT for the slow reader
        QByteArray slowAddress = "127.0.0.2";
        QByteArray floodAddress = "127.0.0.3";
        int readBytesPerSecond = 1024;
        int requestsPerSecond = 20;
        bool slowReader = true;
        bool flooder = true;
    };

    struct SlowReader {
        int connects = 0;
        int handshakeFailures = 0;
        int drops = 0;                 // connection reset or closed by the station
        QList<double> dropAfterS;      // per drop: seconds from the upgrade to the drop
        qint64 requestsSent = 0;
        qint64 bytesRead = 0;
        QString lastError;
    };
    struct Flooder {
        int connects = 0;
        int handshakeFailures = 0;
        int closes = 0;                // connection reset or closed by the station
        QList<double> closedAfterS;    // per close: seconds from the upgrade to the close
        qint64 pings = 0;              // ping frames fully sent
        qint64 bytesSent = 0;
        int throttled = 0;             // connections whose sends blocked for >= 1 s
        double blockedS = 0;           // total time sends were blocked
        QList<double> throttledAfterS; // per throttled connection: seconds from the upgrade to the first block of >= 1 s
        QString lastError;
    };

    explicit HostilePeers(Options options) : m_options(std::move(options)) {}
    ~HostilePeers() { stop(); }

    void start();
    void stop();  // joins both threads; closes their sockets
    SlowReader slowReader() const;
    Flooder flooder() const;

private:
    void runSlowReader();
    void runFlooder();
    bool stopping() const { return m_stop.load(); }
    void pause(int ms) const;

    Options m_options;
    std::atomic<bool> m_stop{false};
    std::thread m_slowThread, m_floodThread;
    mutable std::mutex m_mutex;
    SlowReader m_slow;
    Flooder m_flood;
};

} // namespace bench
