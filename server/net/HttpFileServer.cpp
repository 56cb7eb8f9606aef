#include "net/HttpFileServer.h"

#include "media/FilenameRules.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>

#include <sys/socket.h>

#include <limits>

namespace station::net {

Q_LOGGING_CATEGORY(lcHttp, "station.http")

using Headers = QList<std::pair<QByteArray, QByteArray>>;

struct HttpFileServer::Connection {
    QTcpSocket *socket = nullptr;
    QString address;               // remote address, for the per-address rate limit
    QByteArray buffer;             // unparsed request bytes
    QTimer idle;                   // no progress for idleTimeoutMs → abort
    QTimer head;                   // a started request head must be complete by then (from its first byte)
    SlowReaderMeter meter;
    std::unique_ptr<QFile> file;   // set while a body is being streamed
    qint64 remaining = 0;
    bool keepAlive = true;
    bool isHead = false;           // current request is HEAD: no body, not even for errors
    bool closing = false;          // response sent with Connection: close, or dropped
    bool shutDown = false;         // our write side is shut; draining input until the peer closes
};

struct HttpFileServer::Response {
    int status = 200;
    Headers headers;
    QByteArray body;               // small bodies only (errors); files are streamed
    qint64 contentLength = -1;     // -1: body.size(); -2: no Content-Length (204)
};

namespace {

const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 416: return "Range Not Satisfiable";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

QString timestamp()
{
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"));
}

const QString kHttpDateFormat = QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'");

QByteArray httpDate(const QDateTime &t)
{
    return QLocale::c().toString(t.toUTC(), kHttpDateFormat).toLatin1();
}

QDateTime parseHttpDate(const QByteArray &value)
{
    QDateTime t = QLocale::c().toDateTime(QString::fromLatin1(value).trimmed(), kHttpDateFormat);
    t.setTimeZone(QTimeZone::utc());
    return t;
}

QByteArray contentType(const QString &fileName)
{
    const QString ext = QFileInfo(fileName).suffix().toLower();
    if (ext == QLatin1String("mp4"))
        return "video/mp4";
    if (ext == QLatin1String("jpg") || ext == QLatin1String("jpeg"))
        return "image/jpeg";
    return "application/octet-stream";
}

// RFC 6266: a quoted ASCII fallback plus the exact name as RFC 5987 UTF-8.
QByteArray contentDisposition(const QString &name)
{
    QByteArray ascii;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        ascii += (u < 0x20 || u >= 0x7F || u == '"' || u == '\\') ? '_' : char(u);
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + name.toUtf8().toPercentEncoding("!#$&+-.^_`|~");
}

struct ByteRange { qint64 first = 0; qint64 last = -1; };
enum class RangeResult { Whole, Partial, Unsatisfiable };

// One range → Partial; several, malformed or non-bytes ranges → Whole (RFC 9110 lets
// a server ignore Range); a well-formed range outside the file → Unsatisfiable.
RangeResult parseRange(const QByteArray &header, qint64 size, ByteRange *out)
{
    const QByteArray h = header.trimmed();
    if (!h.toLower().startsWith("bytes="))
        return RangeResult::Whole;
    const QByteArray spec = h.mid(6).trimmed();
    if (spec.contains(','))
        return RangeResult::Whole;
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return RangeResult::Whole;
    const QByteArray a = spec.left(dash).trimmed(), b = spec.mid(dash + 1).trimmed();
    bool okA = true, okB = true;
    const auto digits = [](const QByteArray &s) {
        return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    };
    if (a.isEmpty()) {  // suffix: the last n bytes
        if (!digits(b))
            return RangeResult::Whole;
        qint64 n = b.toLongLong(&okB);
        if (!okB)
            n = std::numeric_limits<qint64>::max();  // longer than the file: the whole file, as a 206
        if (n == 0 || size == 0)
            return RangeResult::Unsatisfiable;
        out->first = std::max<qint64>(0, size - n);
        out->last = size - 1;
        return RangeResult::Partial;
    }
    if (!digits(a) || (!b.isEmpty() && !digits(b)))
        return RangeResult::Whole;
    // RFC 9110 §14.1.2: a last-pos past the end (however many digits) means the end
    // of the file; a first-pos past the end makes the range unsatisfiable.
    const qint64 first = a.toLongLong(&okA);
    if (!okA)
        return RangeResult::Unsatisfiable;  // more digits than any file size
    qint64 last = b.isEmpty() ? size - 1 : b.toLongLong(&okB);
    if (!okB)
        last = std::numeric_limits<qint64>::max();
    if (!b.isEmpty() && last < first)
        return RangeResult::Whole;
    if (first >= size)
        return RangeResult::Unsatisfiable;
    out->first = first;
    out->last = std::min(last, size - 1);
    return RangeResult::Partial;
}

} // namespace

HttpFileServer::HttpFileServer(Settings settings, Hooks hooks, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_hooks(std::move(hooks))
{
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &HttpFileServer::checkSlowReaders);
}

void HttpFileServer::checkSlowReaders()
{
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    const qint64 now = clock.elapsed();
    QList<QTcpSocket *> slow;
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        Connection *c = it->get();
        if (c->meter.tick(c->socket->socketDescriptor(), c->socket->bytesToWrite(), now, m_settings.limits)) {
            qCWarning(lcHttp).noquote() << "slow reader from" << c->address << "closed:" << qint64(c->meter.lastRate()) << "B/s over"
                                        << m_settings.limits.slowReadTimeoutMs / 1000 << "s, below server.min_read_rate_bytes_per_s"
                                        << m_settings.limits.minReadBytesPerSecond;
            slow << c->socket;
        }
    }
    for (QTcpSocket *s : slow)
        s->abort();
    if (m_connections.isEmpty())
        m_tick.stop();
}

HttpFileServer::~HttpFileServer()
{
    // Sockets are our children; drop the per-connection state first so no
    // handler runs against a half-destroyed server.
    const auto sockets = m_connections.keys();
    m_connections.clear();
    for (QTcpSocket *s : sockets) {
        s->disconnect(this);
        s->abort();
    }
}

void HttpFileServer::adopt(QTcpSocket *socket)
{
    auto c = std::make_shared<Connection>();
    c->socket = socket;
    c->address = addressKey(socket->peerAddress());
    socket->setParent(this);
    // Bounds what a pipelining client can park in our memory while a body streams.
    socket->setReadBufferSize(2 * HttpRequestParser::kMaxHeaderBytes);
    c->idle.setSingleShot(true);
    c->idle.setInterval(m_settings.limits.keepAliveIdleMs);
    connect(&c->idle, &QTimer::timeout, socket, [socket] { socket->abort(); });
    c->head.setSingleShot(true);
    c->head.setInterval(int(m_settings.limits.headTimeoutMs));
    connect(&c->head, &QTimer::timeout, socket, [this, socket] {
        qCInfo(lcHttp) << "request head from" << socket->peerAddress().toString() << "not complete within"
                       << m_settings.limits.headTimeoutMs / 1000 << "s; closing";
        socket->abort();
    });
    if (!m_tick.isActive())
        m_tick.start();
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
    connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] { pump(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { drop(socket); });
    m_connections.insert(socket, c);
    c->idle.start();
    if (socket->state() != QAbstractSocket::ConnectedState && socket->bytesAvailable() == 0) {
        drop(socket);
        return;
    }
    onReadable(socket);  // the listener's peek() left data buffered; no new readyRead will come for it
}

void HttpFileServer::onReadable(QTcpSocket *socket)
{
    const auto c = m_connections.value(socket);
    if (!c)
        return;
    if (c->closing) {
        socket->readAll();  // lingering close: discard, so the kernel does not reset the connection
        return;
    }
    if (c->file || socket->bytesToWrite() > m_settings.limits.outboundBudgetBytes)
        return;  // busy streaming or over the outbound budget: the next request waits in the (bounded) socket buffer
    c->buffer += socket->readAll();
    processBuffer(c.get());
}

void HttpFileServer::processBuffer(Connection *c)
{
    const auto keep = m_connections.value(c->socket);  // c must outlive a drop() inside send()
    while (!c->closing && !c->file) {
        // Back-pressure: while the client has not taken our earlier answers, read and answer
        // no more of its (pipelined) requests; pump() resumes once it drains.
        if (c->socket->bytesToWrite() > m_settings.limits.outboundBudgetBytes)
            return;
        c->buffer += c->socket->readAll();
        qsizetype skip = 0;  // RFC 9112 §2.2: ignore empty lines before a request line
        while (skip + 1 < c->buffer.size() && c->buffer[skip] == '\r' && c->buffer[skip + 1] == '\n')
            skip += 2;
        c->buffer.remove(0, skip);
        if (c->buffer.isEmpty()) {
            c->head.stop();
            return;
        }
        if (!c->head.isActive())
            c->head.start();  // trickling bytes never restart it
        HttpRequest req;
        int status = 0;
        switch (HttpRequestParser::parse(c->buffer, &req, &status)) {
        case HttpRequestParser::Status::Incomplete:
            return;
        case HttpRequestParser::Status::Error:
            c->keepAlive = false;
            c->isHead = false;
            c->buffer.clear();
            qCInfo(lcHttp) << "rejected request head from" << c->address << "with" << status;
            if (status == 431)
                sendError(c, 431, QStringLiteral("header_too_large"), QStringLiteral("request header larger than 16 KiB"));
            else
                sendError(c, 400, QStringLiteral("bad_request"), QStringLiteral("malformed HTTP request"));
            return;
        case HttpRequestParser::Status::Complete:
            break;
        }
        c->head.stop();
        c->idle.start();
        c->buffer.remove(0, req.headerBytes);
        c->isHead = req.method == "HEAD";
        c->keepAlive = req.keepAlive();
        // We never read request bodies, so a request carrying one ends the connection.
        if (req.header("content-length").toLongLong() > 0 || !req.header("transfer-encoding").isEmpty())
            c->keepAlive = false;
        handle(c, req);
    }
}

void HttpFileServer::handle(Connection *c, const HttpRequest &req)
{
    // Never log the query string: it may carry a download token.
    qCDebug(lcHttp).noquote() << req.method << QString::fromLatin1(req.rawPath) << "from" << c->address;

    int retryAfter = 0;
    if (rateLimited(c->address, &retryAfter)) {
        sendError(c, 429, QStringLiteral("rate_limited"), QStringLiteral("too many requests"), {},
                  {{"Retry-After", QByteArray::number(retryAfter)}});
        return;
    }
    const bool isHead = req.method == "HEAD";
    if (req.method != "GET" && !isHead && req.method != "OPTIONS") {
        sendError(c, 405, QStringLiteral("method_not_allowed"), QStringLiteral("method not allowed"), {},
                  {{"Allow", "GET, HEAD, OPTIONS"}});
        return;
    }
    if (req.path == m_settings.wsPath && req.method != "OPTIONS") {
        sendError(c, 426, QStringLiteral("upgrade_required"), QStringLiteral("use a WebSocket upgrade on this path"), {},
                  {{"Upgrade", "websocket"}});
        return;
    }
    // Split the raw path: a %2F belongs to the filename (and fails path_separator),
    // it never selects another route.
    QString kind;
    for (const char *k : {"recordings", "snapshots"}) {
        if (req.rawPath.startsWith(QByteArray("/files/") + k + '/'))
            kind = QString::fromLatin1(k);
    }
    if (kind.isEmpty()) {
        sendError(c, 404, QStringLiteral("not_found"), QStringLiteral("no such resource"));
        return;
    }
    if (req.method == "OPTIONS") {  // CORS preflight: no authentication
        Response r;
        r.status = 204;
        r.headers = corsHeaders(req);
        r.headers += {{"Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"},
                      {"Access-Control-Allow-Headers", "Authorization, X-API-Key, Range, If-Range"},
                      {"Access-Control-Max-Age", "600"}};
        r.contentLength = -2;  // 204 carries no Content-Length
        send(c, r);
        return;
    }
    const QString filename = QUrl::fromPercentEncoding(req.rawPath.mid(int(qstrlen("/files/")) + kind.size() + 1));
    serveFile(c, req, kind, filename);
}

void HttpFileServer::serveFile(Connection *c, const HttpRequest &req, const QString &kind, const QString &filename)
{
    const bool isHead = req.method == "HEAD";
    const Headers cors = corsHeaders(req);
    const auto fail = [&](int status, const QString &error, const QString &message, const QString &rule = {},
                          Headers extra = {}) {
        sendError(c, status, error, message, rule, cors + extra);
    };
    if (const QString rule = media::filenameRuleViolation(filename); !rule.isEmpty()) {
        fail(400, QStringLiteral("bad_request"), media::filenameRuleHint(rule), rule);
        return;
    }
    const int auth = m_hooks.authorize ? m_hooks.authorize(req, kind + QLatin1Char('/') + filename) : 401;
    if (auth == 403) {
        fail(403, QStringLiteral("forbidden"), QStringLiteral("credential does not grant this file"));
        return;
    }
    if (auth != 0) {
        fail(401, QStringLiteral("unauthorized"), QStringLiteral("missing, invalid or expired credential"), {},
             {{"WWW-Authenticate", "Bearer realm=\"camera-station\""}});
        return;
    }
    if (m_hooks.storageReadable && !m_hooks.storageReadable()) {
        fail(503, QStringLiteral("unavailable"), QStringLiteral("storage is not readable"), {}, {{"Retry-After", "5"}});
        return;
    }
    const QString path = m_hooks.resolve ? m_hooks.resolve(kind, filename) : QString();
    auto file = std::make_unique<QFile>(path);
    if (path.isEmpty() || !file->open(QIODevice::ReadOnly)) {
        if (!path.isEmpty() && QFileInfo::exists(path))
            fail(503, QStringLiteral("unavailable"), QStringLiteral("file is not readable"), {}, {{"Retry-After", "5"}});
        else
            fail(404, QStringLiteral("not_found"), QStringLiteral("no such %1").arg(kind.chopped(1)));
        return;
    }
    // Size taken now: a file still being recorded is served as it is at this moment.
    const qint64 size = file->size();
    const QDateTime mtime = file->fileTime(QFileDevice::FileModificationTime).toUTC();
    const QByteArray etag = '"' + QByteArray::number(size, 16) + '-' + QByteArray::number(mtime.toMSecsSinceEpoch(), 16) + '"';

    ByteRange range;
    RangeResult rr = RangeResult::Whole;
    if (const QByteArray rh = req.header("range"); !rh.isEmpty()) {
        rr = parseRange(rh, size, &range);
        const QByteArray ifRange = req.header("if-range").trimmed();
        if (!ifRange.isEmpty()) {
            // A strong ETag compares exactly; a date must equal Last-Modified.
            const bool match = ifRange.startsWith('"')
                                   ? ifRange == etag
                                   : parseHttpDate(ifRange).toSecsSinceEpoch() == mtime.toSecsSinceEpoch()
                                         && parseHttpDate(ifRange).isValid();
            if (!match)
                rr = RangeResult::Whole;
        }
    }
    if (rr == RangeResult::Unsatisfiable) {
        fail(416, QStringLiteral("range_not_satisfiable"), QStringLiteral("range outside the file"), {},
             {{"Content-Range", "bytes */" + QByteArray::number(size)}});
        return;
    }
    const QString name = QFileInfo(path).fileName();
    Response r;
    r.status = rr == RangeResult::Partial ? 206 : 200;
    if (rr != RangeResult::Partial)
        range = {0, size - 1};
    r.contentLength = range.last - range.first + 1;
    r.headers = {{"Content-Type", contentType(name)},
                 {"Accept-Ranges", "bytes"},
                 {"ETag", etag},
                 {"Last-Modified", httpDate(mtime)},
                 {"Content-Disposition", contentDisposition(name)},
                 {"Cache-Control", "private, no-cache"},
                 {"X-Content-Type-Options", "nosniff"}};
    if (rr == RangeResult::Partial) {
        r.headers.push_back({"Content-Range", "bytes " + QByteArray::number(range.first) + '-' + QByteArray::number(range.last)
                                               + '/' + QByteArray::number(size)});
    }
    r.headers += cors;
    if (!isHead && r.contentLength > 0) {
        if (!file->seek(range.first)) {
            fail(503, QStringLiteral("unavailable"), QStringLiteral("file is not readable"), {}, {{"Retry-After", "5"}});
            return;
        }
        c->file = std::move(file);
        c->remaining = r.contentLength;
    }
    send(c, r);
}

void HttpFileServer::send(Connection *c, const Response &r)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + reason(r.status) + "\r\n";
    head += "Date: " + httpDate(QDateTime::currentDateTimeUtc()) + "\r\n";
    for (const auto &[name, value] : r.headers)
        head += name + ": " + value + "\r\n";
    if (r.contentLength != -2)
        head += "Content-Length: " + QByteArray::number(r.contentLength >= 0 ? r.contentLength : r.body.size()) + "\r\n";
    head += c->keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    if (!c->isHead)
        head += r.body;
    c->socket->write(head);
    if (c->file)
        pump(c->socket);  // the body follows in chunks
    else
        finishResponse(c);
}

void HttpFileServer::sendError(Connection *c, int status, const QString &error, const QString &message,
                               const QString &rule, Headers extra)
{
    QJsonObject body{{QStringLiteral("error"), error},
                     {QStringLiteral("message"), message},
                     {QStringLiteral("status"), status},
                     {QStringLiteral("timestamp"), timestamp()}};
    if (!rule.isEmpty())
        body.insert(QStringLiteral("rule"), rule);
    Response r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
    r.headers += extra;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    send(c, r);
}

void HttpFileServer::pump(QTcpSocket *socket)
{
    const auto c = m_connections.value(socket);
    if (!c)
        return;
    c->idle.start();
    if (c->closing && !c->shutDown && socket->bytesToWrite() == 0) {
        shutdownWrite(c.get());
        return;
    }
    if (!c->file) {
        if (!c->closing && (!c->buffer.isEmpty() || socket->bytesAvailable() > 0)
            && socket->bytesToWrite() <= m_settings.limits.outboundBudgetBytes / 2)
            QMetaObject::invokeMethod(this, [this, socket] {
                if (const auto conn = m_connections.value(socket); conn && !conn->file && !conn->closing)
                    processBuffer(conn.get());
            }, Qt::QueuedConnection);
        return;
    }
    // Backpressure: refill only while the socket's queue is short, so memory per
    // connection stays near kHighWaterBytes + kChunkBytes whatever the file size.
    while (c->remaining > 0 && socket->bytesToWrite() < kHighWaterBytes) {
        const QByteArray chunk = c->file->read(std::min(kChunkBytes, c->remaining));
        if (chunk.isEmpty()) {  // truncated or unreadable under us: Content-Length can no longer be met
            qCWarning(lcHttp) << "file became unreadable during a download; closing the connection";
            socket->abort();
            return;
        }
        c->remaining -= chunk.size();
        socket->write(chunk);
    }
    if (c->remaining == 0) {
        c->file.reset();
        finishResponse(c.get());
    }
}

void HttpFileServer::finishResponse(Connection *c)
{
    if (!c->keepAlive) {
        c->closing = true;
        if (c->socket->bytesToWrite() == 0)
            shutdownWrite(c);  // else pump() does it once the response is flushed
        return;
    }
    // Next pipelined request, unless we are already inside processBuffer's loop.
    QMetaObject::invokeMethod(this, [this, s = c->socket] {
        if (const auto conn = m_connections.value(s); conn && !conn->file && !conn->closing)
            processBuffer(conn.get());
    }, Qt::QueuedConnection);
}

void HttpFileServer::shutdownWrite(Connection *c)
{
    // Lingering close (as nginx does): closing a socket with unread input makes the
    // kernel send RST, which can destroy a 400/431 the client has not read yet. So
    // send FIN, keep discarding input, and close when the peer does (or after 2 s).
    c->shutDown = true;
    c->idle.start(2000);
    if (::shutdown(int(c->socket->socketDescriptor()), SHUT_WR) != 0)
        c->socket->disconnectFromHost();
}

void HttpFileServer::drop(QTcpSocket *socket)
{
    const auto c = m_connections.take(socket);
    if (!c)
        return;
    c->closing = true;
    c->idle.stop();
    c->head.stop();
    c->file.reset();  // a client that left mid-transfer: close the file now
    socket->disconnect(this);
    socket->deleteLater();
}

bool HttpFileServer::rateLimited(const QString &address, int *retryAfterS)
{
    if (m_settings.requestsPerMinute <= 0)
        return false;
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    const qint64 now = clock.elapsed() + 1;  // never 0, so a default Window is always expired
    if (m_windows.size() > 4096) {  // forget expired windows so many addresses cannot grow the table
        for (auto it = m_windows.begin(); it != m_windows.end();)
            it = now - it->startMs >= 60000 ? m_windows.erase(it) : std::next(it);
    }
    Window &w = m_windows[address];
    if (w.startMs == 0 || now - w.startMs >= 60000)
        w = {now, 0};
    if (++w.count <= m_settings.requestsPerMinute)
        return false;
    *retryAfterS = int((60000 - (now - w.startMs) + 999) / 1000);
    return true;
}

Headers HttpFileServer::corsHeaders(const HttpRequest &req) const
{
    const QByteArray origin = req.header("origin");
    Headers h;
    if (m_settings.allowedOrigins.contains(QStringLiteral("*"))) {
        h.push_back({"Access-Control-Allow-Origin", "*"});
    } else if (!origin.isEmpty() && m_settings.allowedOrigins.contains(QString::fromUtf8(origin))) {
        h.push_back({"Access-Control-Allow-Origin", origin});
        h.push_back({"Vary", "Origin"});
    } else {
        return h;
    }
    if (req.method != "OPTIONS")
        h.push_back({"Access-Control-Expose-Headers", "Content-Length, Content-Range, Content-Disposition, Accept-Ranges, ETag"});
    return h;
}

} // namespace station::net
