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
    }

    void malformed()
    {
        QFETCH(QByteArray, raw);
        HttpRequest r;
        int status = 0;
        QCOMPARE(parse(raw, &r, &status), HttpRequestParser::Status::Error);
        QCOMPARE(status, 400);
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
