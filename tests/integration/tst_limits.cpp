// Limits and keepalive of the real binary (API.md §15, §2.1 Origin, §2.3 batch rate accounting, §12.1 slow consumers).
#include "RpcAssert.h"
#include "RawWebSocket.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTest>

using namespace station::test;

namespace {

QStringList sets(std::initializer_list<const char *> settings)
{
    QStringList args;
    for (const char *s : settings)
        args << QStringLiteral("--set") << QString::fromLatin1(s);
    return args;
}

QString pingRequest(int id)
{
    return QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":%1})").arg(id);
}

// Collects `count` responses (objects with an id) from a client, or fewer on timeout/close.
QList<QJsonObject> collect(WsClient &c, int count, int timeoutMs = 5000)
{
    QList<QJsonObject> out;
    QDeadlineTimer deadline(timeoutMs);
    while (out.size() < count && !deadline.hasExpired()) {
        const QJsonValue v = c.nextMessage(int(std::max<qint64>(1, deadline.remainingTime())));
        if (v.isUndefined())
            break;
        if (v.isArray()) {
            for (const QJsonValue &e : v.toArray())
                out << e.toObject();
        } else if (v.toObject().contains(QLatin1String("id"))) {
            out << v.toObject();
        }
    }
    return out;
}

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// RawWebSocket (tests/support) plus what these tests read: the body of a
// refused handshake and the JSON-RPC response with a given id. It never
// answers pings, and can stop reading altogether.
class RawWs : public RawWebSocket
{
public:
    // Reads the rest of a refused handshake (the body) until the server closes.
    QByteArray readUntilClosed(int timeoutMs = 3000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
            if (socket.waitForReadyRead(50))
                m_buffer += socket.readAll();
        }
        m_buffer += socket.readAll();
        return std::exchange(m_buffer, {});
    }

    // The JSON-RPC response with `id` among the frames received within timeoutMs.
    QJsonObject response(int id, int timeoutMs = 3000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            for (const Frame &f : frames()) {
                if (f.opcode != 1)
                    continue;
                const QJsonObject o = QJsonDocument::fromJson(f.payload).object();
                if (o.value(QLatin1String("id")).toInt(-1) == id)
                    return o;
            }
            socket.waitForReadyRead(50);
        }
        return {};
    }
};

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void perConnectionRateLimit()
    {
        StationProcess station(sets({"security.rate_limit.per_second=5", "security.rate_limit.burst=5"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        for (int i = 1; i <= 10; ++i)
            c.sendText(pingRequest(i));
        const QList<QJsonObject> answers = collect(c, 10);
        QCOMPARE(answers.size(), 10);
        int ok = 0, limited = 0;
        qint64 maxRetry = 0;
        for (const QJsonObject &a : answers) {
            if (a.value(QLatin1String("result")).toString() == QLatin1String("pong")) {
                ++ok;
            } else {
                QCOMPARE(rpcCode(a), -32040);
                QCOMPARE(rpcError(a).value(QLatin1String("message")).toString(), QStringLiteral("Rate limited"));
                const qint64 retry = rpcErrorData(a).value(QLatin1String("retry_after_ms")).toInteger(-1);
                QVERIFY2(retry > 0 && retry <= 1000, qPrintable(QString::number(retry)));  // one token at 5/s: ≤ 200 ms
                maxRetry = std::max(maxRetry, retry);
                ++limited;
            }
        }
        QVERIFY2(ok >= 5 && ok <= 7, qPrintable(QString::number(ok)));  // the burst, plus a token refilled meanwhile
        QVERIFY(limited >= 3);
        // After waiting as told, requests succeed again.
        QTest::qWait(int(maxRetry) + 50);
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QVERIFY(c.isConnected());
    }

    void batchEntriesCountForRateLimit()
    {
        StationProcess station(sets({"security.rate_limit.per_second=5", "security.rate_limit.burst=5"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QStringList entries;
        for (int i = 1; i <= 8; ++i)
            entries << pingRequest(i);
        c.sendText(QLatin1Char('[') + entries.join(QLatin1Char(',')) + QLatin1Char(']'));
        const QJsonValue answer = c.nextMessage();
        QVERIFY(answer.isArray());
        const QJsonArray a = answer.toArray();
        QCOMPARE(a.size(), 8);
        int ok = 0;
        for (const QJsonValue &e : a)
            ok += e.toObject().value(QLatin1String("result")).toString() == QLatin1String("pong") ? 1 : 0;
        QVERIFY2(ok >= 5 && ok <= 6, qPrintable(QString::number(ok)));
        QCOMPARE(rpcCode(a.at(7)), -32040);
        // Notifications inside a batch consume tokens too: the bucket is empty now.
        c.sendText(QStringLiteral(R"([{"jsonrpc":"2.0","method":"ping"},{"jsonrpc":"2.0","method":"ping"}])"));
        QCOMPARE(rpcCode(c.call(QStringLiteral("ping"))), -32040);
    }

    void rejectedRequestsConsumeTokens()
    {
        // Step 3 precedes the envelope's -32600 and the method's -32601 (§2.4): they cost a token too.
        StationProcess station(sets({"security.rate_limit.per_second=1", "security.rate_limit.burst=4"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        c.sendText(QStringLiteral(R"({"jsonrpc":"1.0","method":"ping","id":1})"));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"nope","id":2})"));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"get_metrics","id":3})"));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":4})"));
        const QList<QJsonObject> first = collect(c, 4);
        QCOMPARE(first.size(), 4);
        QCOMPARE(rpcCode(first.at(0)), -32600);
        QCOMPARE(rpcCode(first.at(1)), -32601);
        QCOMPARE(rpcCode(first.at(2)), -32001);
        QVERIFY(rpcIsSuccess(first.at(3)));
        QCOMPARE(rpcCode(c.call(QStringLiteral("ping"))), -32040);
    }

    void perAddressRateLimit()
    {
        StationProcess station(sets({"security.rate_limit.per_second=1000", "security.rate_limit.burst=1000",
                                     "security.rate_limit.per_address_per_second=1", "security.rate_limit.per_address_burst=6"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient a, b;
        QVERIFY(a.open(station.wsUrl()));
        QVERIFY(b.open(station.wsUrl()));
        QElapsedTimer timer;
        timer.start();
        for (int i = 1; i <= 4; ++i)
            a.sendText(pingRequest(i));
        int okA = 0;
        for (const QJsonObject &r : collect(a, 4))
            okA += rpcIsSuccess(r) ? 1 : 0;
        QCOMPARE(okA, 4);
        for (int i = 1; i <= 4; ++i)
            b.sendText(pingRequest(i));
        const QList<QJsonObject> answersB = collect(b, 4);
        QCOMPARE(answersB.size(), 4);
        int okB = 0;
        for (const QJsonObject &r : answersB)
            okB += rpcIsSuccess(r) ? 1 : 0;
        // Both connections share the address's 6 tokens (b has its own, unused, connection budget).
        QVERIFY2(okB >= 2 && okB <= 3, qPrintable(QString::number(okB)));
        QCOMPARE(rpcCode(answersB.last()), -32040);
        QVERIFY(rpcErrorData(answersB.last()).value(QLatin1String("retry_after_ms")).toInteger() > 0);

        // Reconnecting does not reset the address budget (§15), even when every connection closed.
        a.close();
        b.close();
        QTest::qWait(100);  // let the server see both closes
        WsClient again;
        QVERIFY(again.open(station.wsUrl()));
        for (int i = 1; i <= 6; ++i)
            again.sendText(pingRequest(i));
        const QList<QJsonObject> answersAgain = collect(again, 6);
        const qint64 elapsed = timer.elapsed();
        QCOMPARE(answersAgain.size(), 6);
        int okAgain = 0;
        for (const QJsonObject &r : answersAgain)
            okAgain += rpcIsSuccess(r) ? 1 : 0;
        // A fresh bucket would allow all 6; the old one has refilled at most one token per second since.
        QVERIFY2(elapsed < 5000, qPrintable(QStringLiteral("too slow to observe the 1/s budget: %1 ms").arg(elapsed)));
        QVERIFY2(okAgain < 6 && okAgain <= 1 + elapsed / 1000, qPrintable(QStringLiteral("%1 of 6 pings passed after reconnecting (%2 ms)").arg(okAgain).arg(elapsed)));
        // It refills at its rate.
        QTest::qWait(1100);
        QCOMPARE(again.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void persistentFloodingCloses1008()
    {
        StationProcess station(sets({"security.rate_limit.per_second=1", "security.rate_limit.burst=1"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        for (int i = 1; i <= 260; ++i)
            c.sendText(pingRequest(i));
        QVERIFY(c.waitClosed(5000));
        QCOMPARE(c.closeCode(), 1008);
        int limited = 0;
        for (const QJsonValue &v : c.drain())
            limited += rpcCode(v) == -32040 ? 1 : 0;
        QVERIFY2(limited > 200, qPrintable(QString::number(limited)));  // closed only after more than 200

        // 150 refusals are tolerated: the connection stays open.
        WsClient patient;
        QVERIFY(patient.open(station.wsUrl()));
        for (int i = 1; i <= 151; ++i)
            patient.sendText(pingRequest(i));
        QCOMPARE(collect(patient, 151).size(), 151);
        QVERIFY(patient.noMessageWithin(300));
        QVERIFY(patient.isConnected());
    }

    void maxConnections()
    {
        StationProcess station(sets({"server.max_connections=3"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c1, c2, c3;
        QVERIFY(c1.open(station.wsUrl()));
        QVERIFY(c2.open(station.wsUrl()));
        QVERIFY(c3.open(station.wsUrl()));

        RawWs raw;
        const QByteArray head = raw.handshake(station.apiPort());
        QCOMPARE(RawWebSocket::statusOf(head), 503);
        QVERIFY2(head.contains("\r\nRetry-After: 5\r\n"), head.constData());
        QVERIFY(head.contains("application/json"));
        const QJsonObject body = QJsonDocument::fromJson(raw.readUntilClosed()).object();
        QCOMPARE(body.value(QLatin1String("status")).toInt(), 503);
        QVERIFY(body.value(QLatin1String("error")).isString());
        QVERIFY(body.value(QLatin1String("timestamp")).isString());

        WsClient c4;
        QVERIFY(!c4.open(station.wsUrl(), 3000));
        // The existing connections are unaffected, and a freed slot can be used again.
        QCOMPARE(c1.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        c3.close();
        QTRY_VERIFY_WITH_TIMEOUT(c4.open(station.wsUrl(), 2000), 5000);
        QCOMPARE(c4.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void maxConnectionsPerAddress()
    {
        StationProcess station(sets({"server.max_connections_per_address=2"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c1, c2;
        QVERIFY(c1.open(station.wsUrl()));
        QVERIFY(c2.open(station.wsUrl()));
        RawWs raw;
        QCOMPARE(RawWebSocket::statusOf(raw.handshake(station.apiPort())), 503);
        WsClient c3;
        QVERIFY(!c3.open(station.wsUrl(), 3000));
        QCOMPARE(c2.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        c1.close();
        QTRY_VERIFY_WITH_TIMEOUT(c3.open(station.wsUrl(), 2000), 5000);
    }

    void maxMessageSize()
    {
        StationProcess station(sets({"server.max_message_bytes=2048"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        const QString fits = QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":1,"pad":"%1"})").arg(QString(1900, QLatin1Char('a')));
        QVERIFY(fits.size() <= 2048);
        c.sendText(fits);
        QCOMPARE(c.nextMessage().toObject().value(QLatin1String("result")).toString(), QStringLiteral("pong"));
        c.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"ping","id":2,"pad":"%1"})").arg(QString(2100, QLatin1Char('a'))));
        QVERIFY(c.waitClosed());
        QCOMPARE(c.closeCode(), 1009);
        // Others are unaffected.
        WsClient other;
        QVERIFY(other.open(station.wsUrl()));
        QCOMPARE(other.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void originCheck()
    {
        StationProcess station(sets({"server.allowed_origins=http://good.example"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        {
            RawWs bad;
            const QByteArray head = bad.handshake(station.apiPort(), "Origin: http://bad.example\r\n");
            QCOMPARE(RawWebSocket::statusOf(head), 403);
        }
        {
            RawWs lookalike;
            QCOMPARE(RawWebSocket::statusOf(lookalike.handshake(station.apiPort(), "Origin: http://good.example.evil.test\r\n")), 403);
        }
        {
            RawWs good;
            QCOMPARE(RawWebSocket::statusOf(good.handshake(station.apiPort(), "Origin: http://good.example\r\n")), 101);
        }
        {
            RawWs none;
            QCOMPARE(RawWebSocket::statusOf(none.handshake(station.apiPort())), 101);
        }
        WsClient goodClient;
        QVERIFY(goodClient.open(station.wsUrl(), 5000, {{QByteArrayLiteral("Origin"), QByteArrayLiteral("http://good.example")}}));
        QCOMPARE(goodClient.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        WsClient badClient;
        QVERIFY(!badClient.open(station.wsUrl(), 3000, {{QByteArrayLiteral("Origin"), QByteArrayLiteral("http://bad.example")}}));
    }

    void keepalive()
    {
        StationProcess station(sets({"server.ping_interval_s=1", "server.pong_timeout_s=3"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        // A QWebSocket answers pings by itself: an idle client stays connected.
        WsClient idle;
        QVERIFY(idle.open(station.wsUrl()));
        int pings = 0;
        connect(&idle.socket(), &QWebSocket::pong, this, [&pings] { ++pings; });
        // A hand-made client that completed the handshake but never sends anything (no pongs).
        RawWs mute;
        QCOMPARE(RawWebSocket::statusOf(mute.handshake(station.apiPort())), 101);
        QElapsedTimer timer;
        timer.start();
        qint64 muteClosedAt = -1;
        QList<RawWs::Frame> muteFrames;
        connect(&mute.socket, &QTcpSocket::disconnected, this, [&] { muteClosedAt = timer.elapsed(); });
        while (timer.elapsed() < 6500) {
            QTest::qWait(50);
            muteFrames += mute.frames();
        }
        QVERIFY2(idle.isConnected(), qPrintable(QStringLiteral("idle client closed with %1").arg(idle.closeCode())));
        QCOMPARE(idle.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));

        QVERIFY2(muteClosedAt > 0, "a client that never answers pings was not closed within 6.5 s");
        QVERIFY2(muteClosedAt >= 2500, qPrintable(QStringLiteral("closed after only %1 ms").arg(muteClosedAt)));
        int serverPings = 0;
        int closeCode = -1;
        for (const RawWs::Frame &f : muteFrames) {
            serverPings += f.opcode == 0x9 ? 1 : 0;
            if (f.opcode == 0x8 && f.payload.size() >= 2)
                closeCode = (quint8(f.payload[0]) << 8) | quint8(f.payload[1]);
        }
        QVERIFY2(serverPings >= 1, qPrintable(QString::number(serverPings)));  // pinged (every ~1 s) before being dropped
        QCOMPARE(closeCode, 1001);
    }

    void slowConsumerIsDisconnected()
    {
        StationProcess station(sets({"server.max_outbound_queue_bytes=65536", "server.max_batch_size=1000",
                                     "security.rate_limit.per_second=10000000", "security.rate_limit.burst=10000000",
                                     "security.rate_limit.per_address_per_second=10000000", "security.rate_limit.per_address_burst=10000000"}));
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient observer;
        QVERIFY(observer.open(station.wsUrl()));
        QVERIFY(observer.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const qint64 rssBefore = rssKiB(station.pid());
        QVERIFY(rssBefore > 0);

        RawWs slow;
        slow.socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        QCOMPARE(RawWebSocket::statusOf(slow.handshake(station.apiPort())), 101);
        slow.sendText(QStringLiteral(R"({"jsonrpc":"2.0","method":"authenticate","params":{"auth_token":"%1"},"id":1})")
                          .arg(QString::fromLatin1(StationProcess::token(QStringLiteral("admin")))).toUtf8());
        QCOMPARE(slow.response(1).value(QLatin1String("result")).toObject().value(QLatin1String("authenticated")), QJsonValue(true));
        const auto activeClients = [&observer] {
            return rpcResult(observer.call(QStringLiteral("get_subscription_stats"))).value(QLatin1String("global_stats")).toObject()
                .value(QLatin1String("active_clients")).toInt(-1);
        };
        QCOMPARE(activeClients(), 2);

        // Stop reading, then flood: each batch answer is one large message (~100 entries of get_metrics).
        slow.socket.setReadBufferSize(1);
        QStringList entries;
        for (int i = 0; i < 100; ++i)
            entries << QStringLiteral(R"({"jsonrpc":"2.0","method":"get_metrics","id":%1})").arg(i + 2);
        const QByteArray batch = (QLatin1Char('[') + entries.join(QLatin1Char(',')) + QLatin1Char(']')).toUtf8();
        QElapsedTimer timer;
        timer.start();
        bool closed = false;
        int sent = 0;
        qint64 maxObserverMs = 0;
        for (int round = 1; timer.elapsed() < 20000 && !closed; ++round) {
            if (sent < 2000 && slow.socket.bytesToWrite() < (1 << 20)) {
                slow.sendText(batch);
                ++sent;
            }
            QTest::qWait(5);
            if (round % 20 == 0) {
                // Other clients are served meanwhile.
                QElapsedTimer t;
                t.start();
                QCOMPARE(observer.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
                maxObserverMs = std::max(maxObserverMs, t.elapsed());
                closed = station.log().contains(QLatin1String("outbound queue over limit")) && activeClients() == 1;
            }
        }
        const qint64 rssAfter = rssKiB(station.pid());
        QVERIFY2(closed, qPrintable(QStringLiteral("slow consumer still connected after %1 batches; RSS %2 -> %3 KiB").arg(sent).arg(rssBefore).arg(rssAfter)));
        QVERIFY2(rssAfter - rssBefore < 64 * 1024, qPrintable(QStringLiteral("RSS grew from %1 to %2 KiB").arg(rssBefore).arg(rssAfter)));
        QVERIFY2(maxObserverMs < 2000, qPrintable(QStringLiteral("observer waited %1 ms").arg(maxObserverMs)));
        // And after.
        QVERIFY(rpcIsSuccess(observer.call(QStringLiteral("get_metrics"))));
        WsClient fresh;
        QVERIFY(fresh.open(station.wsUrl()));
        QCOMPARE(fresh.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
