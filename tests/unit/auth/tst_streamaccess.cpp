#include "auth/JwtService.h"
#include "auth/StreamAccess.h"
#include "mediamtx/StreamAuthEndpoint.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QThread>

#include <memory>
#include <QTest>

using namespace station::auth;

namespace {

const QByteArray kSecret = "0123456789abcdef0123456789abcdef-stream-secret";

StreamAuthRequest request(const QString &action, const QString &ip, const QString &path = QStringLiteral("camera0"))
{
    StreamAuthRequest r;
    r.action = action;
    r.ip = ip;
    r.path = path;
    r.protocol = QStringLiteral("rtsp");
    return r;
}

// One POST to the endpoint, as MediaMTX sends it; returns the status code.
int post(quint16 port, const QByteArray &body, const QByteArray &path = "/mediamtx/auth")
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(2000))
        return -1;
    s.write("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray reply;
    while (!reply.contains("\r\n\r\n") && s.waitForReadyRead(2000))
        reply += s.readAll();
    return reply.startsWith("HTTP/1.1 ") ? reply.mid(9, 3).toInt() : -1;
}

} // namespace

class TestStreamAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void publishOnlyFromLoopback()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        QVERIFY(access.check(request(QStringLiteral("publish"), QStringLiteral("127.0.0.1"))).isEmpty());
        QVERIFY(access.check(request(QStringLiteral("publish"), QStringLiteral("::1"))).isEmpty());
        QVERIFY(access.check(request(QStringLiteral("publish"), QStringLiteral("::ffff:127.0.0.1"))).isEmpty());
        QVERIFY(!access.check(request(QStringLiteral("publish"), QStringLiteral("192.0.2.7"))).isEmpty());
    }

    void apiNeedsTheStationCredential()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        access.isApiCredential = [](const QString &u, const QString &p) { return u == QLatin1String("camera-station") && p == QLatin1String("pw"); };
        StreamAuthRequest r = request(QStringLiteral("api"), QStringLiteral("127.0.0.1"), QString());
        QVERIFY(!access.check(r).isEmpty());
        r.user = QStringLiteral("camera-station");
        r.password = QStringLiteral("pw");
        QVERIFY(access.check(r).isEmpty());
        r.ip = QStringLiteral("192.0.2.7");  // the right password from the network: still no
        QVERIFY(!access.check(r).isEmpty());
        r = request(QStringLiteral("metrics"), QStringLiteral("127.0.0.1"), QString());
        r.user = QStringLiteral("camera-station");
        r.password = QStringLiteral("wrong");
        QVERIFY(!access.check(r).isEmpty());
    }

    void readNeedsATokenForThatCamera()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        StreamAuthRequest r = request(QStringLiteral("read"), QStringLiteral("192.0.2.7"));
        QVERIFY(access.check(r).startsWith(QLatin1String("no stream token")));
        // A token for camera0 in the RTSP query (MediaMTX passes it as `token`)...
        r.token = QString::fromLatin1(jwt.mintStream(QStringLiteral("alice"), Role::Viewer, QStringLiteral("camera0"), 600, {}));
        QVERIFY2(access.check(r).isEmpty(), qPrintable(access.check(r)));
        // ...or only in the raw query (HLS, WebRTC: MediaMTX leaves `token` empty).
        StreamAuthRequest hls = request(QStringLiteral("read"), QStringLiteral("192.0.2.7"));
        hls.protocol = QStringLiteral("hls");
        hls.query = QStringLiteral("token=") + r.token;
        QVERIFY(access.check(hls).isEmpty());
        // Not for another camera, not a download token, not a session token, not expired.
        StreamAuthRequest other = r;
        other.path = QStringLiteral("camera1");
        QVERIFY(!access.check(other).isEmpty());
        StreamAuthRequest download = r;
        download.token = QString::fromLatin1(jwt.mintDownload(QStringLiteral("alice"), Role::Viewer, QStringLiteral("camera0"), 600, {}));
        QVERIFY(!access.check(download).isEmpty());
        StreamAuthRequest session = r;
        session.token = QString::fromLatin1(jwt.mintSession(QStringLiteral("alice"), Role::Admin, 600));
        QVERIFY(!access.check(session).isEmpty());
        StreamAuthRequest old = r;
        old.token = QString::fromLatin1(jwt.mintStream(QStringLiteral("alice"), Role::Viewer, QStringLiteral("camera0"), 600, {},
                                                        QDateTime::currentDateTimeUtc().addSecs(-3600)));
        QVERIFY(!access.check(old).isEmpty());
        // Signed with another secret.
        JwtService other2(QByteArray(kSecret).replace('0', '1'));
        StreamAuthRequest forged = r;
        forged.token = QString::fromLatin1(other2.mintStream(QStringLiteral("alice"), Role::Viewer, QStringLiteral("camera0"), 600, {}));
        QVERIFY(!access.check(forged).isEmpty());
    }

    void revokedApiKeyEndsItsStreamUrls()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        bool valid = true;
        access.apiKeyValid = [&valid](const QString &id) { return valid && id == QLatin1String("key-1"); };
        StreamAuthRequest r = request(QStringLiteral("read"), QStringLiteral("192.0.2.7"));
        r.token = QString::fromLatin1(jwt.mintStream(QStringLiteral("key-1"), Role::Viewer, QStringLiteral("camera0"), 600, {},
                                                      QDateTime::currentDateTimeUtc(), QStringLiteral("key-1")));
        QVERIFY(access.check(r).isEmpty());
        valid = false;
        QVERIFY(!access.check(r).isEmpty());
    }

    void internalTokenOnlyFromLoopback()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        QVERIFY(access.internalToken().size() >= 40);
        QVERIFY(StreamAccess(&jwt).internalToken() != access.internalToken());
        StreamAuthRequest r = request(QStringLiteral("read"), QStringLiteral("127.0.0.1"));
        r.query = QStringLiteral("token=") + access.internalToken();
        QVERIFY(access.check(r).isEmpty());
        r.ip = QStringLiteral("192.0.2.7");
        QVERIFY(!access.check(r).isEmpty());
    }

    void anonymousReadSwitch()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        access.setAnonymousRead(true);
        QVERIFY(access.check(request(QStringLiteral("read"), QStringLiteral("192.0.2.7"))).isEmpty());
        // Publishing and the API stay closed.
        QVERIFY(!access.check(request(QStringLiteral("publish"), QStringLiteral("192.0.2.7"))).isEmpty());
        QVERIFY(!access.check(request(QStringLiteral("api"), QStringLiteral("127.0.0.1"), QString())).isEmpty());
    }

    void endpointAnswersMediaMtxRequests()
    {
        JwtService jwt(kSecret);
        StreamAccess access(&jwt);
        station::mediamtx::StreamAuthEndpoint endpoint(&access);
        QString error;
        QVERIFY2(endpoint.listen(&error), qPrintable(error));
        QVERIFY(endpoint.url().startsWith(QLatin1String("http://127.0.0.1:")));
        const QByteArray token = jwt.mintStream(QStringLiteral("alice"), Role::Viewer, QStringLiteral("camera0"), 600, {});
        // The fields of MediaMTX v1.20.1 internal/auth/manager.go authenticateHTTP.
        const auto body = [](const QString &action, const QString &tok) {
            return QJsonDocument(QJsonObject{{"ip", "192.0.2.7"}, {"user", ""}, {"password", ""}, {"token", tok}, {"action", action},
                                             {"path", "camera0"}, {"protocol", "rtsp"}, {"id", QJsonValue::Null},
                                             {"query", "token=" + tok}, {"userAgent", "VLC"}})
                .toJson(QJsonDocument::Compact);
        };
        // The client runs on its own thread: the endpoint answers from this one's event loop.
        const auto ask = [&endpoint](const QByteArray &payload, const QByteArray &path = "/mediamtx/auth") {
            int status = -1;
            std::unique_ptr<QThread> client(QThread::create([&] { status = post(endpoint.port(), payload, path); }));
            client->start();
            for (int waited = 0; !client->isFinished() && waited < 5000; waited += 10)
                QTest::qWait(10);
            client->wait();
            return status;
        };
        QCOMPARE(ask(body(QStringLiteral("read"), QString::fromLatin1(token))), 200);
        QCOMPARE(ask(body(QStringLiteral("read"), QStringLiteral("not-a-token"))), 401);
        QCOMPARE(ask(body(QStringLiteral("publish"), QString())), 401);  // from 192.0.2.7
        QCOMPARE(ask("{not json"), 400);
        QCOMPARE(ask(body(QStringLiteral("read"), QString::fromLatin1(token)), "/other"), 404);
        QCOMPARE(endpoint.allowed(), quint64(1));
        QCOMPARE(endpoint.refused(), quint64(2));
    }
};

QTEST_GUILESS_MAIN(TestStreamAccess)
#include "tst_streamaccess.moc"
