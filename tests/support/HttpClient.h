#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <functional>

namespace station::test {

// A deliberately plain HTTP/1.1 client over a raw QTcpSocket (loopback only):
// the request target goes on the wire exactly as given (no normalisation of
// "..", "%2e" or "%2F", unlike QNetworkAccessManager), one request per
// connection ("Connection: close"), the response is read until the server
// closes. Blocking; needs no event loop.
struct HttpResponse {
    int status = 0;  // 0: no (complete) response head
    QByteArray statusLine;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;      // empty when the body was discarded
    qint64 bodyBytes = 0; // bytes received after the head
    bool complete = false; // the server closed the connection after the response

    QByteArray header(const QByteArray &name) const;  // case-insensitive; empty when absent
    bool hasHeader(const QByteArray &name) const;
    QJsonObject json() const;
};

struct HttpOptions {
    int timeoutMs = 15000;
    bool keepBody = true;
    // Called after each read with the number of body bytes received so far;
    // returning false aborts the transfer.
    std::function<bool(qint64)> onProgress;
};

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

HttpResponse httpRequest(quint16 port, const QByteArray &method, const QByteArray &target,
                         const HttpHeaders &headers = {}, const HttpOptions &options = {});
inline HttpResponse httpGet(quint16 port, const QByteArray &target, const HttpHeaders &headers = {})
{
    return httpRequest(port, "GET", target, headers);
}

// Resident set size of a process in bytes (VmRSS of /proc/<pid>/status); -1 when unknown.
qint64 processRssBytes(qint64 pid);

} // namespace station::test
