// Parsing of MediaMTX API answers (/v3/paths/list) and of HTTP request heads:
// hostile or broken input never crashes.
#include "mediamtx/PathManager.h"
#include "net/HttpRequest.h"

#include <QJsonDocument>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QList<station::mediamtx::PathStatus> paths = station::mediamtx::PathManager::parsePathList(QJsonDocument::fromJson(bytes));
    for (const station::mediamtx::PathStatus &p : paths) {
        if (p.name.isEmpty() || p.bytesSent < 0 || p.bytesReceived < 0)
            std::abort();
    }
    station::net::HttpRequest request;
    int status = 0;
    station::net::HttpRequestParser::parse(bytes, &request, &status);
    return 0;
}
