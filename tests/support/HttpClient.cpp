#include "HttpClient.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QTcpSocket>

namespace station::test {

QByteArray HttpResponse::header(const QByteArray &name) const
{
    const QByteArray wanted = name.toLower();
    for (const auto &h : headers) {
        if (h.first.toLower() == wanted)
            return h.second;
    }
    return {};
}

bool HttpResponse::hasHeader(const QByteArray &name) const
{
    const QByteArray wanted = name.toLower();
    for (const auto &h : headers) {
        if (h.first.toLower() == wanted)
            return true;
    }
    return false;
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpResponse httpRequest(quint16 port, const QByteArray &method, const QByteArray &target, const HttpHeaders &headers,
                         const HttpOptions &options)
{
    HttpResponse r;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(options.timeoutMs))
        return r;
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
    bool hasConnection = false;
    for (const auto &h : headers) {
        request += h.first + ": " + h.second + "\r\n";
        hasConnection = hasConnection || h.first.toLower() == "connection";
    }
    if (!hasConnection)
        request += "Connection: close\r\n";
    request += "\r\n";
    socket.write(request);
    socket.flush();

    QDeadlineTimer deadline(options.timeoutMs);
    QByteArray head;
    bool inBody = false;
    for (;;) {
        if (socket.bytesAvailable() == 0) {
            if (socket.state() != QAbstractSocket::ConnectedState) {
                r.complete = true;
                break;
            }
            if (!socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) {
                if (socket.state() != QAbstractSocket::ConnectedState)
                    r.complete = true;
                break;  // timeout or closed
            }
        }
        QByteArray chunk = socket.read(1 << 20);
        if (!inBody) {
            head += chunk;
            const qsizetype end = head.indexOf("\r\n\r\n");
            if (end < 0)
                continue;
            chunk = head.mid(end + 4);
            head.truncate(end);
            inBody = true;
            const QList<QByteArray> lines = head.split('\n');
            r.statusLine = lines.value(0).trimmed();
            r.status = r.statusLine.split(' ').value(1).toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    r.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
            }
        }
        r.bodyBytes += chunk.size();
        if (options.keepBody)
            r.body += chunk;
        if (options.onProgress && !options.onProgress(r.bodyBytes)) {
            socket.abort();
            break;
        }
        if (deadline.hasExpired())
            break;
    }
    if (!inBody)
        r.status = 0;
    return r;
}

qint64 processRssBytes(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            const QList<QByteArray> parts = line.simplified().split(' ');
            return parts.value(1).toLongLong() * 1024;  // kB
        }
    }
    return -1;
}

} // namespace station::test
