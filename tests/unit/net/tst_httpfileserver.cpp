#include "net/HttpFileServer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using station::net::HttpFileServer;
using station::net::HttpRequest;

namespace {

struct Reply {
    int status = 0;
    QHash<QByteArray, QByteArray> headers;  // lower-cased names
    QByteArray body;
    QByteArray header(const QByteArray &n) const { return headers.value(n); }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// A plain HTTP/1.1 client driven by the test's event loop (the server shares it).
class Client
{
public:
    explicit Client(quint16 port) { socket.connectToHost(QHostAddress::LocalHost, port); }

    void send(const QByteArray &raw) { socket.write(raw); }

    // Reads one response; HEAD responses have no body whatever Content-Length says.
    std::optional<Reply> read(bool head = false, int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            in += socket.readAll();
            const qsizetype end = in.indexOf("\r\n\r\n");
            if (end >= 0) {
                Reply r;
                const QList<QByteArray> lines = in.left(end).split('\n');
                r.status = lines.first().split(' ').value(1).toInt();
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const QByteArray l = lines[i].trimmed();
                    const qsizetype c = l.indexOf(':');
                    r.headers.insert(l.left(c).toLower(), l.mid(c + 1).trimmed());
                }
                const qint64 len = (head || r.status == 204) ? 0 : r.header("content-length").toLongLong();
                if (in.size() >= end + 4 + len) {
                    r.body = in.mid(end + 4, len);
                    in.remove(0, end + 4 + len);
                    return r;
                }
            }
            QTest::qWait(2);
        }
        return std::nullopt;
    }

    std::optional<Reply> request(const QByteArray &method, const QByteArray &target, const QByteArray &extra = {})
    {
        send(method + ' ' + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n");
        return read(method == "HEAD");
    }

    // True once the server has closed the connection.
    bool waitClosed(int timeoutMs = 3000)
    {
        QElapsedTimer t;
        t.start();
        while (socket.state() != QAbstractSocket::UnconnectedState && t.elapsed() < timeoutMs) {
            in += socket.readAll();
            QTest::qWait(5);
        }
        return socket.state() == QAbstractSocket::UnconnectedState;
    }

    QTcpSocket socket;
    QByteArray in;
};

qint64 rssBytes()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return 0;
}

// ASan's quarantine keeps freed chunks resident, so RSS says nothing there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssMeaningful = false;
#else
constexpr bool kRssMeaningful = true;
#endif

const QByteArray kAuth = "Authorization: Bearer good\r\n";
const QRegularExpression kTimestamp(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"));

} // namespace

class TestHttpFileServer : public QObject
{
    Q_OBJECT

private:
    // A listener standing in for the 8002 one: hands each connection to the server.
    struct Listener {
        QTcpServer tcp;
        std::unique_ptr<HttpFileServer> files;
        quint16 port = 0;
    };

    std::unique_ptr<Listener> makeListener(HttpFileServer::Settings settings = {}, bool storageOk = true)
    {
        auto l = std::make_unique<Listener>();
        const QString root = m_dir.path();
        HttpFileServer::Hooks hooks;
        hooks.authorize = [](const HttpRequest &req, const QString &resource) {
            const QByteArray auth = req.header("authorization");
            if (auth == "Bearer good")
                return 0;
            if (auth == "Bearer other")
                return 403;
            if (req.query.queryItemValue(QStringLiteral("token")) == QLatin1String("for-clip")) // a download token
                return resource == QLatin1String("recordings/clip.mp4") ? 0 : 403;
            return 401;
        };
        hooks.resolve = [root](const QString &kind, const QString &filename) {
            QString p = root + QLatin1Char('/') + kind + QLatin1Char('/') + filename;
            if (kind == QLatin1String("recordings") && !filename.contains(QLatin1Char('.')) && QFile::exists(p + QStringLiteral(".mp4")))
                p += QStringLiteral(".mp4");
            return QFile::exists(p) ? p : QString();
        };
        hooks.storageReadable = [storageOk] { return storageOk; };
        l->files = std::make_unique<HttpFileServer>(settings, hooks);
        HttpFileServer *files = l->files.get();
        QTcpServer *tcp = &l->tcp;
        connect(tcp, &QTcpServer::newConnection, tcp, [tcp, files] {
            while (QTcpSocket *s = tcp->nextPendingConnection())
                files->adopt(s);
        });
        if (!l->tcp.listen(QHostAddress::LocalHost, 0))
            return nullptr;
        l->port = l->tcp.serverPort();
        return l;
    }

    QTemporaryDir m_dir;
    std::unique_ptr<Listener> m_l;
    QByteArray m_clip;  // content of recordings/clip.mp4

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(QStringLiteral("recordings"));
        QDir(m_dir.path()).mkpath(QStringLiteral("snapshots"));
        for (int i = 0; i < 1000; ++i)
            m_clip += char(i % 251);
        QFile f(m_dir.path() + QStringLiteral("/recordings/clip.mp4"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(m_clip);
        f.close();
        QFile j(m_dir.path() + QStringLiteral("/snapshots/shot é.jpg"));
        QVERIFY(j.open(QIODevice::WriteOnly));
        j.write("jpegdata");
        j.close();
        m_l = makeListener();
        QVERIFY(m_l);
    }

    void fullDownload()
    {
        Client c(m_l->port);
        const auto r = c.request("GET", "/files/recordings/clip.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, m_clip);
        QCOMPARE(r->header("content-type"), QByteArray("video/mp4"));
        QCOMPARE(r->header("content-length"), QByteArray("1000"));
        QCOMPARE(r->header("accept-ranges"), QByteArray("bytes"));
        QVERIFY(r->header("etag").startsWith('"') && r->header("etag").endsWith('"'));
        QVERIFY(QRegularExpression(QStringLiteral("^[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT$"))
                    .match(QString::fromLatin1(r->header("last-modified"))).hasMatch());
        QCOMPARE(r->header("content-disposition"), QByteArray("attachment; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4"));
        QCOMPARE(r->header("cache-control"), QByteArray("private, no-cache"));
        QCOMPARE(r->header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(r->header("access-control-allow-origin"), QByteArray("*"));
        QCOMPARE(r->header("access-control-expose-headers"),
                 QByteArray("Content-Length, Content-Range, Content-Disposition, Accept-Ranges, ETag"));
        QVERIFY(!r->headers.contains("content-range"));
    }

    void snapshotAndExtensionlessName()
    {
        Client c(m_l->port);
        auto r = c.request("GET", "/files/snapshots/shot%20%C3%A9.jpg", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, QByteArray("jpegdata"));
        QCOMPARE(r->header("content-type"), QByteArray("image/jpeg"));
        QCOMPARE(r->header("content-disposition"),
                 QByteArray("attachment; filename=\"shot _.jpg\"; filename*=UTF-8''shot%20%C3%A9.jpg"));
        r = c.request("GET", "/files/recordings/clip", kAuth);  // §2.10: resolves to clip.mp4
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("content-type"), QByteArray("video/mp4"));
        QVERIFY(r->header("content-disposition").contains("filename=\"clip.mp4\""));
    }

    void downloadToken()
    {
        Client c(m_l->port);
        auto r = c.request("GET", "/files/recordings/clip.mp4?token=for-clip");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        r = c.request("GET", "/files/snapshots/shot%20%C3%A9.jpg?token=for-clip");  // token for another file
        QVERIFY(r);
        QCOMPARE(r->status, 403);
    }

    void head()
    {
        Client c(m_l->port);
        auto r = c.request("HEAD", "/files/recordings/clip.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("content-length"), QByteArray("1000"));
        QCOMPARE(r->header("content-type"), QByteArray("video/mp4"));
        QVERIFY(r->body.isEmpty());
        // No body bytes followed: the next response on the connection parses cleanly.
        r = c.request("HEAD", "/files/recordings/nope.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        r = c.request("GET", "/files/recordings/clip.mp4", kAuth + "Range: bytes=0-1\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 206);
        QCOMPARE(r->body, m_clip.left(2));
        QVERIFY(c.in.isEmpty());
    }

    void ranges_data()
    {
        QTest::addColumn<QByteArray>("range");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("last");
        QTest::newRow("a-b") << QByteArray("bytes=0-99") << 206 << 0LL << 99LL;
        QTest::newRow("a-b inner") << QByteArray("bytes=500-509") << 206 << 500LL << 509LL;
        QTest::newRow("a-") << QByteArray("bytes=990-") << 206 << 990LL << 999LL;
        QTest::newRow("-n") << QByteArray("bytes=-10") << 206 << 990LL << 999LL;
        QTest::newRow("-n larger than file") << QByteArray("bytes=-5000") << 206 << 0LL << 999LL;
        QTest::newRow("b past end") << QByteArray("bytes=995-5000") << 206 << 995LL << 999LL;
        QTest::newRow("single byte") << QByteArray("bytes=999-999") << 206 << 999LL << 999LL;
        QTest::newRow("several ranges") << QByteArray("bytes=0-1,5-6") << 200 << 0LL << 999LL;
        QTest::newRow("other unit") << QByteArray("items=0-1") << 200 << 0LL << 999LL;
        QTest::newRow("malformed") << QByteArray("bytes=abc") << 200 << 0LL << 999LL;
        QTest::newRow("start past end") << QByteArray("bytes=1000-") << 416 << 0LL << 0LL;
        QTest::newRow("empty suffix") << QByteArray("bytes=-0") << 416 << 0LL << 0LL;
    }

    void ranges()
    {
        QFETCH(QByteArray, range);
        QFETCH(int, status);
        QFETCH(qint64, first);
        QFETCH(qint64, last);
        Client c(m_l->port);
        const auto r = c.request("GET", "/files/recordings/clip.mp4", kAuth + "Range: " + range + "\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, status);
        if (status == 416) {
            QCOMPARE(r->header("content-range"), QByteArray("bytes */1000"));
            QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("range_not_satisfiable"));
            return;
        }
        QCOMPARE(r->body, m_clip.mid(first, last - first + 1));
        QCOMPARE(r->header("content-length").toLongLong(), last - first + 1);
        if (status == 206) {
            QCOMPARE(r->header("content-range"),
                     "bytes " + QByteArray::number(first) + '-' + QByteArray::number(last) + "/1000");
        } else {
            QVERIFY(!r->headers.contains("content-range"));
        }
    }

    void ifRange()
    {
        Client c(m_l->port);
        const auto full = c.request("HEAD", "/files/recordings/clip.mp4", kAuth);
        QVERIFY(full);
        const QByteArray etag = full->header("etag"), date = full->header("last-modified");
        const auto get = [&](const QByteArray &ifRange) {
            return c.request("GET", "/files/recordings/clip.mp4", kAuth + "Range: bytes=0-9\r\nIf-Range: " + ifRange + "\r\n");
        };
        auto r = get(etag);
        QVERIFY(r);
        QCOMPARE(r->status, 206);
        QCOMPARE(r->body.size(), 10);
        r = get("\"something-else\"");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, m_clip);
        r = get(date);
        QVERIFY(r);
        QCOMPARE(r->status, 206);
        r = get("Wed, 21 Oct 2015 07:28:00 GMT");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body.size(), 1000);
    }

    void filenameRules_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("rule");
        QTest::newRow("encoded slash") << QByteArray("/files/recordings/a%2Fclip.mp4") << "path_separator";
        QTest::newRow("encoded dot-dot slash") << QByteArray("/files/recordings/..%2Fsnapshots%2Fx.jpg") << "path_separator";
        QTest::newRow("literal slash") << QByteArray("/files/recordings/sub/clip.mp4") << "path_separator";
        QTest::newRow("backslash") << QByteArray("/files/snapshots/a%5Cb.jpg") << "path_separator";
        QTest::newRow("dot dot") << QByteArray("/files/recordings/a..b.mp4") << "dot_dot";
        QTest::newRow("leading dot") << QByteArray("/files/recordings/.hidden") << "leading_dot";
        QTest::newRow("forbidden") << QByteArray("/files/recordings/a%3Cb.mp4") << "forbidden_char";
        QTest::newRow("colon") << QByteArray("/files/recordings/a:b.mp4") << "forbidden_char";
        QTest::newRow("nul") << QByteArray("/files/recordings/a%00b.mp4") << "control_char";
        QTest::newRow("newline") << QByteArray("/files/recordings/a%0Ab.mp4") << "control_char";
        QTest::newRow("empty") << QByteArray("/files/recordings/") << "non_empty";
        QTest::newRow("too long") << "/files/recordings/" + QByteArray(256, 'a') << "max_bytes";
    }

    void filenameRules()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, rule);
        Client c(m_l->port);
        // No credential: the 400 comes before authentication (§13.2 evaluation order).
        const auto r = c.request("GET", path);
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QCOMPARE(r->header("content-type"), QByteArray("application/json"));
        const QJsonObject o = r->json();
        QCOMPARE(o.value(QStringLiteral("error")).toString(), QStringLiteral("bad_request"));
        QCOMPARE(o.value(QStringLiteral("rule")).toString(), rule);
        QCOMPARE(o.value(QStringLiteral("status")).toInt(), 400);
        QVERIFY(!o.value(QStringLiteral("message")).toString().isEmpty());
        QVERIFY(kTimestamp.match(o.value(QStringLiteral("timestamp")).toString()).hasMatch());
    }

    void unauthorized()
    {
        Client c(m_l->port);
        for (const QByteArray &path : {QByteArray("/files/recordings/clip.mp4"), QByteArray("/files/recordings/missing.mp4")}) {
            // A missing file also gives 401: unauthenticated clients learn nothing about existence.
            const auto r = c.request("GET", path, "Authorization: Bearer bad\r\n");
            QVERIFY(r);
            QCOMPARE(r->status, 401);
            QCOMPARE(r->header("www-authenticate"), QByteArray("Bearer realm=\"camera-station\""));
            QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("unauthorized"));
            QVERIFY(kTimestamp.match(r->json().value(QStringLiteral("timestamp")).toString()).hasMatch());
        }
    }

    void forbidden()
    {
        Client c(m_l->port);
        const auto r = c.request("GET", "/files/recordings/clip.mp4", "Authorization: Bearer other\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 403);
        QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("forbidden"));
    }

    void notFound()
    {
        Client c(m_l->port);
        for (const QByteArray &path : {QByteArray("/files/recordings/missing.mp4"), QByteArray("/files/snapshots/clip.mp4"),
                                      QByteArray("/"), QByteArray("/files/other/x"), QByteArray("/files/recordings"),
                                      QByteArray("/wsx")}) {
            const auto r = c.request("GET", path, kAuth);
            QVERIFY(r);
            QCOMPARE(r->status, 404);
            QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("not_found"));
            QCOMPARE(r->json().value(QStringLiteral("status")).toInt(), 404);
        }
    }

    void methodNotAllowed()
    {
        Client c(m_l->port);
        for (const QByteArray &method : {QByteArray("POST"), QByteArray("DELETE"), QByteArray("PUT")}) {
            const auto r = c.request(method, "/files/recordings/clip.mp4", kAuth);
            QVERIFY(r);
            QCOMPARE(r->status, 405);
            QCOMPARE(r->header("allow"), QByteArray("GET, HEAD, OPTIONS"));
            QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("method_not_allowed"));
        }
        // A request carrying a body we do not read ends the connection after the answer.
        Client b(m_l->port);
        b.send("POST /files/recordings/clip.mp4 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
        const auto r = b.read();
        QVERIFY(r);
        QCOMPARE(r->status, 405);
        QCOMPARE(r->header("connection"), QByteArray("close"));
        QVERIFY(b.waitClosed());
    }

    void preflight()
    {
        Client c(m_l->port);
        const auto r = c.request("OPTIONS", "/files/recordings/clip.mp4",
                                 "Origin: http://ui.example\r\nAccess-Control-Request-Method: GET\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 204);
        QCOMPARE(r->header("access-control-allow-origin"), QByteArray("*"));
        QCOMPARE(r->header("access-control-allow-methods"), QByteArray("GET, HEAD, OPTIONS"));
        QCOMPARE(r->header("access-control-allow-headers"), QByteArray("Authorization, X-API-Key, Range, If-Range"));
        QCOMPARE(r->header("access-control-max-age"), QByteArray("600"));
        QVERIFY(r->body.isEmpty());
    }

    void restrictedOrigins()
    {
        HttpFileServer::Settings s;
        s.allowedOrigins = {QStringLiteral("http://ui.example")};
        auto l = makeListener(s);
        QVERIFY(l);
        Client c(l->port);
        auto r = c.request("GET", "/files/recordings/clip.mp4", kAuth + "Origin: http://ui.example\r\n");
        QVERIFY(r);
        QCOMPARE(r->header("access-control-allow-origin"), QByteArray("http://ui.example"));
        r = c.request("GET", "/files/recordings/clip.mp4", kAuth + "Origin: http://evil.example\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 200);  // CORS is the browser's business; no allow header given
        QVERIFY(!r->headers.contains("access-control-allow-origin"));
    }

    void upgradeRequired()
    {
        Client c(m_l->port);
        const auto r = c.request("GET", "/ws");
        QVERIFY(r);
        QCOMPARE(r->status, 426);
        QCOMPARE(r->header("upgrade"), QByteArray("websocket"));
        QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("upgrade_required"));
    }

    void headerTooLarge()
    {
        Client c(m_l->port);
        c.send("GET /files/recordings/clip.mp4 HTTP/1.1\r\nX-Big: " + QByteArray(20 * 1024, 'x') + "\r\n\r\n");
        const auto r = c.read();
        QVERIFY(r);
        QCOMPARE(r->status, 431);
        QVERIFY(c.waitClosed());
    }

    void malformed()
    {
        Client c(m_l->port);
        c.send("THIS IS NOT HTTP\r\n\r\n");
        const auto r = c.read();
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("bad_request"));
        QVERIFY(c.waitClosed());
    }

    void storageUnreadable()
    {
        auto l = makeListener({}, false);
        QVERIFY(l);
        Client c(l->port);
        auto r = c.request("GET", "/files/recordings/clip.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("unavailable"));
        QVERIFY(r->headers.contains("retry-after"));
        r = c.request("GET", "/files/recordings/clip.mp4");  // still 401 first
        QVERIFY(r);
        QCOMPARE(r->status, 401);
    }

    void rateLimited()
    {
        HttpFileServer::Settings s;
        s.requestsPerMinute = 3;
        auto l = makeListener(s);
        QVERIFY(l);
        Client c(l->port);
        for (int i = 0; i < 3; ++i) {
            const auto r = c.request("HEAD", "/files/recordings/clip.mp4", kAuth);
            QVERIFY(r);
            QCOMPARE(r->status, 200);
        }
        Client other(l->port);  // same address, new connection: still limited
        const auto r = other.request("GET", "/files/recordings/clip.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 429);
        QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("rate_limited"));
        const int retry = r->header("retry-after").toInt();
        QVERIFY(retry >= 1 && retry <= 60);
    }

    void keepAliveAndPipelining()
    {
        Client c(m_l->port);
        auto r = c.request("GET", "/files/recordings/clip.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("connection"), QByteArray("keep-alive"));
        r = c.request("GET", "/files/recordings/clip.mp4", kAuth + "Range: bytes=-1\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 206);
        QCOMPARE(r->body, m_clip.right(1));
        // Three requests in one write: answered in order on the same connection.
        const QByteArray get = "GET /files/recordings/clip.mp4 HTTP/1.1\r\n" + kAuth;
        c.send(get + "Range: bytes=0-0\r\n\r\n" + get + "Range: bytes=1-1\r\n\r\n" + get + "Connection: close\r\n\r\n");
        for (int i = 0; i < 2; ++i) {
            r = c.read();
            QVERIFY(r);
            QCOMPARE(r->status, 206);
            QCOMPARE(r->body, m_clip.mid(i, 1));
        }
        r = c.read();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("connection"), QByteArray("close"));
        QVERIFY(c.waitClosed());
        QTRY_COMPARE(m_l->files->connectionCount(), 0);
    }

    void largeFileStreamsWithBoundedMemory()
    {
        constexpr qint64 size = 64LL * 1024 * 1024;
        const QString path = m_dir.path() + QStringLiteral("/recordings/big.mp4");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(size));  // sparse: zeros without using disk
            f.seek(size - 4);
            f.write("TAIL");
        }
        const qint64 rssBefore = rssBytes();
        qint64 peak = rssBefore;
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, this, [&] { peak = std::max(peak, rssBytes()); });
        sampler.start(20);

        Client c(m_l->port);
        c.send("GET /files/recordings/big.mp4 HTTP/1.1\r\n" + kAuth + "\r\n");
        QByteArray head, tail;
        qint64 received = 0, expected = -1;
        // Consume as it arrives so the client side does not hold the file either.
        connect(&c.socket, &QTcpSocket::readyRead, this, [&] {
            QByteArray data = c.socket.readAll();
            if (expected < 0) {
                head += data;
                const qsizetype end = head.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                QVERIFY(head.startsWith("HTTP/1.1 200"));
                const qsizetype cl = head.indexOf("Content-Length: ");
                expected = head.mid(cl + 16, head.indexOf('\r', cl) - cl - 16).toLongLong();
                data = head.mid(end + 4);
            }
            received += data.size();
            tail = (tail + data).right(4);
        });
        QTRY_VERIFY_WITH_TIMEOUT(expected > 0 && received >= expected, 60000);
        sampler.stop();
        QCOMPARE(expected, size);
        QCOMPARE(received, size);
        QCOMPARE(tail, QByteArray("TAIL"));
        qInfo() << "RSS before" << rssBefore / 1024 << "KiB, peak" << peak / 1024 << "KiB";
        if (kRssMeaningful)
            QVERIFY2(peak - rssBefore < 32LL * 1024 * 1024, "RSS grew by more than 32 MiB during a 64 MiB download");
        QFile::remove(path);
    }

    void slowClientThenDisconnect()
    {
        constexpr qint64 size = 64LL * 1024 * 1024;
        const QString path = m_dir.path() + QStringLiteral("/recordings/big2.mp4");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(size));
        }
        QTRY_COMPARE(m_l->files->connectionCount(), 0);
        const qint64 rssBefore = rssBytes();
        {
            Client c(m_l->port);
            c.socket.setReadBufferSize(64 * 1024);  // a client that stops reading after 64 KiB
            c.send("GET /files/recordings/big2.mp4 HTTP/1.1\r\n" + kAuth + "\r\n");
            QTRY_COMPARE(m_l->files->connectionCount(), 1);
            QTest::qWait(500);  // the server must stop at the socket's high-water mark
            const qint64 growth = rssBytes() - rssBefore;
            qInfo() << "RSS growth with a stalled client" << growth / 1024 << "KiB";
            if (kRssMeaningful)
                QVERIFY(growth < 32LL * 1024 * 1024);
            c.socket.abort();  // leaves mid-transfer
        }
        QTRY_COMPARE(m_l->files->connectionCount(), 0);
        // Still serving afterwards.
        Client c(m_l->port);
        const auto r = c.request("HEAD", "/files/recordings/big2.mp4", kAuth);
        QVERIFY(r);
        QCOMPARE(r->header("content-length").toLongLong(), size);
        QFile::remove(path);
    }

    void unfinishedHeadDropped()
    {
        HttpFileServer::Settings s;
        s.limits.headTimeoutMs = 600;
        auto l = makeListener(s);
        QVERIFY(l);
        Client c(l->port);
        QElapsedTimer t;
        t.start();
        // Trickling a byte every 100 ms never extends the head's deadline, which runs from its first byte.
        for (const char ch : QByteArray("GET /files/recordings/x.mp4 HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaa")) {
            if (c.socket.state() == QAbstractSocket::UnconnectedState)
                break;
            c.send(QByteArray(1, ch));
            QTest::qWait(100);
        }
        QVERIFY(c.waitClosed(3000));
        QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
        QTRY_COMPARE(l->files->connectionCount(), 0);
    }

    void idleKeepAliveDropped()
    {
        HttpFileServer::Settings s;
        s.limits.keepAliveIdleMs = 300;
        auto l = makeListener(s);
        QVERIFY(l);
        Client c(l->port);
        const auto r = c.request("HEAD", "/files/recordings/clip.mp4", kAuth);  // keep-alive
        QVERIFY(r);
        QElapsedTimer t;
        t.start();
        QVERIFY(c.waitClosed(3000));
        QVERIFY2(t.elapsed() >= 200, qPrintable(QString::number(t.elapsed())));
        QTRY_COMPARE(l->files->connectionCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHttpFileServer)
#include "tst_httpfileserver.moc"
