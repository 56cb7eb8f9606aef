#include "net/ConnectionLimits.h"
#include "net/HttpRequest.h"

#include <QTest>

using station::net::HttpRequest;
using station::net::HttpRequestParser;

class TestHttpRequest : public QObject
{
    Q_OBJECT

    static HttpRequestParser::Status parse(const QByteArray &raw, HttpRequest *req, int *status)
    {
        return HttpRequestParser::parse(raw, req, status);
    }

private slots:
    void complete()
    {
        HttpRequest r;
        int status = -1;
        const QByteArray raw = "GET /files/recordings/a%20b.mp4?token=x.y-z HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\nNEXT";
        QCOMPARE(parse(raw, &r, &status), HttpRequestParser::Status::Complete);
        QCOMPARE(status, 0);
        QCOMPARE(r.method, QByteArray("GET"));
        QCOMPARE(r.rawPath, QByteArray("/files/recordings/a%20b.mp4"));
        QCOMPARE(r.path, QStringLiteral("/files/recordings/a b.mp4"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("token")), QStringLiteral("x.y-z"));
        QCOMPARE(r.header("x-a"), QByteArray("1, 2"));
        QCOMPARE(r.headerBytes, raw.indexOf("NEXT"));
        QVERIFY(r.keepAlive());
        QVERIFY(!r.isWebSocketUpgrade());
    }

    void incompleteAndLimits()
    {
        HttpRequest r;
        int status = 0;
        QCOMPARE(parse("GET / HTTP/1.1\r\nHost: h\r\n", &r, &status), HttpRequestParser::Status::Incomplete);
        QCOMPARE(parse("GET / HTTP/1.1\r\nX: " + QByteArray(17 * 1024, 'x'), &r, &status), HttpRequestParser::Status::Error);
        QCOMPARE(status, 431);
        QCOMPARE(parse("GET / HTTP/1.1\r\nX: " + QByteArray(17 * 1024, 'x') + "\r\n\r\n", &r, &status),
                 HttpRequestParser::Status::Error);
        QCOMPARE(status, 431);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::newRow("two tokens") << QByteArray("GET /\r\n\r\n");
        QTest::newRow("bad version") << QByteArray("GET / FTP/1.0\r\n\r\n");
        QTest::newRow("relative target") << QByteArray("GET files HTTP/1.1\r\n\r\n");
        QTest::newRow("header without colon") << QByteArray("GET / HTTP/1.1\r\nnocolon\r\n\r\n");
        // Issue 12 #4: ambiguous framing (request smuggling behind a proxy).
        QTest::newRow("two Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length: 39\r\nContent-Length: 39\r\n\r\n");
        QTest::newRow("two different Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length: 0\r\ncontent-length: 39\r\n\r\n");
        QTest::newRow("joined Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length: 39, 39\r\n\r\n");
        QTest::newRow("signed Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length: +39\r\n\r\n");
        QTest::newRow("hex Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length: 0x27\r\n\r\n");
        QTest::newRow("empty Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length:\r\n\r\n");
        QTest::newRow("huge Content-Length") << QByteArray("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n");
        QTest::newRow("Transfer-Encoding") << QByteArray("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        QTest::newRow("Transfer-Encoding identity") << QByteArray("GET / HTTP/1.1\r\ntransfer-encoding: identity\r\n\r\n");
        QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nContent-Length : 39\r\n\r\n");
        QTest::newRow("tab before colon") << QByteArray("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n");
    }

    void malformed()
    {
        QFETCH(QByteArray, raw);
        HttpRequest r;
        int status = 0;
        QCOMPARE(parse(raw, &r, &status), HttpRequestParser::Status::Error);
        QCOMPARE(status, 400);
    }

    void oneContentLengthAccepted()
    {
        HttpRequest r;
        int status = -1;
        QCOMPARE(parse("GET / HTTP/1.1\r\nContent-Length: 39\r\n\r\n", &r, &status), HttpRequestParser::Status::Complete);
        QCOMPARE(r.header("content-length"), QByteArray("39"));
    }

    // Issue 12 #14: per-address limits key IPv6 clients by their /64.
    void addressKeys()
    {
        using station::net::addressKey;
        QCOMPARE(addressKey(QHostAddress(QStringLiteral("192.0.2.7"))), QStringLiteral("192.0.2.7"));
        QCOMPARE(addressKey(QHostAddress(QStringLiteral("::ffff:192.0.2.7"))), QStringLiteral("192.0.2.7"));
        const QString a = addressKey(QHostAddress(QStringLiteral("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        QCOMPARE(a, QStringLiteral("2001:db8:1:2::/64"));
        QCOMPARE(addressKey(QHostAddress(QStringLiteral("2001:db8:1:2::1"))), a);
        QVERIFY(addressKey(QHostAddress(QStringLiteral("2001:db8:1:3::1"))) != a);
        QCOMPARE(addressKey(QHostAddress(QStringLiteral("::1"))), QStringLiteral("::/64"));
    }

    void absoluteForm()
    {
        HttpRequest r;
        int status = 0;
        QCOMPARE(parse("GET http://host:8002/files/snapshots/a.jpg?token=t HTTP/1.1\r\n\r\n", &r, &status),
                 HttpRequestParser::Status::Complete);
        QCOMPARE(r.rawPath, QByteArray("/files/snapshots/a.jpg"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("token")), QStringLiteral("t"));
        QCOMPARE(parse("GET http://host HTTP/1.1\r\n\r\n", &r, &status), HttpRequestParser::Status::Complete);
        QCOMPARE(r.rawPath, QByteArray("/"));
    }

    void keepAliveRules()
    {
        HttpRequest r;
        int status = 0;
        QVERIFY(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &r, &status) == HttpRequestParser::Status::Complete);
        QVERIFY(!r.keepAlive());
        QVERIFY(parse("GET / HTTP/1.0\r\n\r\n", &r, &status) == HttpRequestParser::Status::Complete);
        QVERIFY(!r.keepAlive());
        QVERIFY(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r, &status) == HttpRequestParser::Status::Complete);
        QVERIFY(r.keepAlive());
        QVERIFY(parse("GET /ws HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n", &r, &status)
                == HttpRequestParser::Status::Complete);
        QVERIFY(r.isWebSocketUpgrade());
    }
};

QTEST_GUILESS_MAIN(TestHttpRequest)
#include "tst_httprequest.moc"
