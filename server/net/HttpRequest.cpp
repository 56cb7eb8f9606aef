#include "net/HttpRequest.h"

#include <QUrl>

#include <algorithm>

namespace station::net {

bool HttpRequest::keepAlive() const
{
    const QByteArray c = header("connection").toLower();
    if (version == "HTTP/1.0")
        return c.contains("keep-alive");
    return !c.contains("close");
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return header("upgrade").toLower().contains("websocket");
}

HttpRequestParser::Status HttpRequestParser::parse(const QByteArray &buffer, HttpRequest *out, int *httpStatus)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > kMaxHeaderBytes) {
            *httpStatus = 431;
            return Status::Error;
        }
        return Status::Incomplete;
    }
    if (end + 4 > kMaxHeaderBytes) {
        *httpStatus = 431;
        return Status::Error;
    }
    *httpStatus = 400;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    if (lines.isEmpty())
        return Status::Error;
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3)
        return Status::Error;
    HttpRequest req;
    req.method = requestLine[0];
    req.target = requestLine[1];
    req.version = requestLine[2];
    // RFC 9112 §3.2.2: servers must accept absolute-form ("GET http://host/x HTTP/1.1");
    // reduce it to origin-form so routing sees only the path.
    const QByteArray lowerTarget = req.target.toLower();
    if (lowerTarget.startsWith("http://") || lowerTarget.startsWith("https://")) {
        const qsizetype authority = req.target.indexOf("//") + 2;
        qsizetype slash = req.target.indexOf('/', authority);
        const qsizetype query = req.target.indexOf('?', authority);
        if (slash < 0 || (query >= 0 && query < slash))
            req.target = '/' + (query >= 0 ? req.target.mid(query) : QByteArray());
        else
            req.target = req.target.mid(slash);
    }
    if (!req.version.startsWith("HTTP/1.") || req.method.isEmpty() || !req.target.startsWith('/'))
        return Status::Error;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].endsWith('\r') ? lines[i].chopped(1) : lines[i];
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return Status::Error;
        const QByteArray rawName = line.left(colon);
        // RFC 9112 §5.1: no whitespace between the field name and the colon (nor a folded
        // line starting with it); a server must reject such a request with 400.
        if (rawName.contains(' ') || rawName.contains('\t'))
            return Status::Error;
        const QByteArray name = rawName.toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        // Message framing must be unambiguous (RFC 9112 §6.3): a request with
        // Transfer-Encoding, more than one Content-Length, or one that is not a
        // plain decimal number is refused, so no proxy in front of us can read
        // its body differently (request smuggling).
        if (name == "transfer-encoding")
            return Status::Error;
        if (name == "content-length") {
            if (req.headers.contains(name) || value.isEmpty() || value.size() > 18
                || !std::all_of(value.begin(), value.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
                return Status::Error;
        }
        auto it = req.headers.find(name);
        if (it == req.headers.end())
            req.headers.insert(name, value);
        else
            *it += ", " + value;
    }
    const qsizetype q = req.target.indexOf('?');
    req.rawPath = q < 0 ? req.target : req.target.left(q);
    req.path = QUrl::fromPercentEncoding(req.rawPath);
    if (q >= 0)
        req.query = QUrlQuery(QString::fromUtf8(req.target.mid(q + 1)));
    req.headerBytes = end + 4;
    *out = std::move(req);
    *httpStatus = 0;
    return Status::Complete;
}

} // namespace station::net
