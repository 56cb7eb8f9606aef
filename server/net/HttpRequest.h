#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QUrlQuery>

namespace station::net {

// An HTTP/1.1 request head, parsed by HttpRequestParser. Bodies are not read
// (every route here is GET/HEAD/OPTIONS).
struct HttpRequest {
    QByteArray method;                   // "GET"
    QByteArray target;                   // raw request target, "/files/recordings/a.mp4?token=..."
    QByteArray rawPath;                  // target before '?', still percent-encoded
    QString path;                        // rawPath percent-decoded once
    QUrlQuery query;
    QByteArray version;                  // "HTTP/1.1"
    QHash<QByteArray, QByteArray> headers;  // lower-cased names; repeated headers joined with ", "
    qint64 headerBytes = 0;

    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
    bool keepAlive() const;
    bool isWebSocketUpgrade() const;
};

class HttpRequestParser
{
public:
    static constexpr qint64 kMaxHeaderBytes = 16 * 1024;  // API.md §15: larger → 431

    enum class Status { Incomplete, Complete, Error };

    // Parses the head at the start of `buffer`. Complete: *out is filled and
    // out->headerBytes is the length of the head. Error: *httpStatus is 400 or 431.
    static Status parse(const QByteArray &buffer, HttpRequest *out, int *httpStatus);
};

} // namespace station::net
