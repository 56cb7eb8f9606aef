// Connection faults against the real binary (API.md §2.1, §2.2, §2.3, §2.4, §14.4, §15):
// 2,000 WebSocket connections dropped abruptly at every stage, 100,000
// malformed frames, an invalid UTF-8 text frame, oversized HTTP headers and a
// slowloris client. Loopback only.
#include "FaultTools.h"
#include "HttpClient.h"
#include "RawWebSocket.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>
#include <vector>

using namespace station::test;

namespace {

QStringList sets(std::initializer_list<const char *> kv)
{
    QStringList out;
    for (const char *s : kv)
        out << QStringLiteral("--set") << QString::fromLatin1(s);
    return out;
}

// Limits raised so that only the behaviour under test is exercised.
QStringList permissive()
{
    return sets({"server.max_connections=2100", "server.max_connections_per_address=0", "security.rate_limit.per_second=10000000", "security.rate_limit.burst=10000000",
                 "security.rate_limit.per_address_per_second=10000000", "security.rate_limit.per_address_burst=10000000",
                 "security.auth_failures_per_minute=100000"});
}

QJsonObject websocketDetails(const StationProcess &station)
{
    for (const QJsonValue &v : httpGet(station.healthPort(), "/health/detailed").json().value(QLatin1String("components")).toArray()) {
        if (v.toObject().value(QLatin1String("name")).toString() == QLatin1String("websocket_server"))
            return v.toObject().value(QLatin1String("details")).toObject();
    }
    return {};
}

int wsConnections(const StationProcess &station)
{
    return websocketDetails(station).value(QLatin1String("connections")).toInt(-1);
}

// One JSON-RPC response object as §2.2/§2.5 describe it; empty string when valid.
QString responseProblem(const QJsonValue &v)
{
    if (!v.isObject())
        return QStringLiteral("not an object");
    const QJsonObject o = v.toObject();
    if (o.value(QLatin1String("jsonrpc")).toString() != QLatin1String("2.0"))
        return QStringLiteral("jsonrpc is not \"2.0\"");
    if (!o.contains(QLatin1String("id")))
        return QStringLiteral("no id");
    const QJsonValue id = o.value(QLatin1String("id"));
    if (!id.isNull() && !id.isString() && !id.isDouble())
        return QStringLiteral("bad id type");
    if (o.contains(QLatin1String("result")) == o.contains(QLatin1String("error")))
        return QStringLiteral("not exactly one of result/error");
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key() != QLatin1String("jsonrpc") && it.key() != QLatin1String("id") && it.key() != QLatin1String("result") && it.key() != QLatin1String("error"))
            return QStringLiteral("extra member ") + it.key();
    }
    if (o.contains(QLatin1String("error"))) {
        const QJsonObject e = o.value(QLatin1String("error")).toObject();
        if (!e.value(QLatin1String("code")).isDouble() || !e.value(QLatin1String("message")).isString() || !e.value(QLatin1String("data")).isObject())
            return QStringLiteral("bad error object");
    }
    return {};
}

// A stream of malformed messages; every one of them is answered with exactly
// one text message (no notifications among them).
struct Malformed {
    QByteArray text;
    QJsonValue expectedId = QJsonValue(QJsonValue::Undefined);  // the id the answer must echo; Undefined: not checked
    int expectedCode = 0;                                        // 0: any error code
    int expectedElements = 0;                                    // > 0: the answer is an array of that many
    QByteArray kind;
};

class MalformedGenerator
{
public:
    explicit MalformedGenerator(quint32 seed) : m_rng(seed) {}

    Malformed next(qint64 n)
    {
        const int pick = int(m_rng.bounded(100));
        const QByteArray id = QByteArray::number(n);
        if (pick < 15) {  // invalid JSON
            static const QList<QByteArray> broken{"{", "{\"jsonrpc\":\"2.0\",\"method\":", "[{]", "{'a':1}", "nul", "{\"id\":1,}", "\"unterminated",
                                                  "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":1}}", "\x01\x02", "  "};
            return {broken.at(int(m_rng.bounded(broken.size()))), QJsonValue(QJsonValue::Null), -32700, 0, "invalid_json"};
        }
        if (pick < 30) {  // wrong types in the envelope
            static const QList<QByteArray> bodies{"\"method\":123", "\"method\":\"ping\",\"jsonrpc\":2", "\"method\":\"ping\",\"params\":\"x\"",
                                                  "\"method\":null", "\"method\":[\"ping\"]", "\"method\":\"ping\",\"params\":7"};
            const QByteArray body = bodies.at(int(m_rng.bounded(bodies.size())));
            const QByteArray jsonrpc = body.contains("\"jsonrpc\"") ? QByteArray() : QByteArrayLiteral("\"jsonrpc\":\"2.0\",");
            return {"{" + jsonrpc + body + ",\"id\":" + id + "}", QJsonValue(double(n)), -32600, 0, "wrong_type"};
        }
        if (pick < 42) {  // wrong parameter types (authenticated connections get -32602, others -32001)
            static const QList<QByteArray> calls{"\"take_snapshot\",\"params\":{\"device\":5}", "\"list_recordings\",\"params\":{\"limit\":\"10\"}",
                                                 "\"start_recording\",\"params\":{\"device\":\"camera0\",\"duration\":1.5}",
                                                 "\"subscribe_events\",\"params\":{\"topics\":{}}", "\"ping\",\"params\":[1,2]",
                                                 "\"get_recording_info\",\"params\":{\"filename\":\"../../etc/passwd\"}"};
            return {"{\"jsonrpc\":\"2.0\",\"method\":" + calls.at(int(m_rng.bounded(calls.size()))) + ",\"id\":" + id + "}", QJsonValue(double(n)), 0, 0,
                    "bad_params"};
        }
        if (pick < 55) {  // huge or invalid ids
            static const QList<QByteArray> ids{"1e300", "9007199254740993", "-9007199254740993", "1.5", "true", "[1]", "{\"a\":1}",
                                               "123456789012345678901234567890"};
            if (m_rng.bounded(4) == 0)
                return {"{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":\"" + QByteArray(int(129 + m_rng.bounded(20000)), 'i') + "\"}",
                        QJsonValue(QJsonValue::Null), -32600, 0, "huge_id"};
            return {"{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":" + ids.at(int(m_rng.bounded(ids.size()))) + "}", QJsonValue(QJsonValue::Null), -32600,
                    0, "huge_id"};
        }
        if (pick < 60)  // deep nesting: 10,000 '[' (unbalanced or balanced)
            return {m_rng.bounded(2) ? QByteArray(10000, '[') : QByteArray(10000, '[') + QByteArray(10000, ']'), QJsonValue(QJsonValue::Null), 0, 0,
                    "deep_nesting"};
        if (pick < 65)
            return {"[]", QJsonValue(QJsonValue::Null), -32600, 0, "empty_batch"};
        if (pick < 70) {  // 51 entries: one -32600 for the whole batch
            QByteArray b = "[";
            for (int i = 0; i < 51; ++i)
                b += (i ? "," : "") + QByteArray("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":") + QByteArray::number(i) + "}";
            return {b + "]", QJsonValue(QJsonValue::Null), -32600, 0, "batch_51"};
        }
        if (pick < 75)  // a batch of non-objects: one -32600 element each
            return {"[1,\"a\",null,{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":" + id + "}]", QJsonValue(QJsonValue::Undefined), 0, 4, "batch_junk"};
        if (pick < 80)  // unknown and notification-named methods
            return {"{\"jsonrpc\":\"2.0\",\"method\":\"" + QByteArray(m_rng.bounded(2) ? "rpc.discover" : "recording_status_update") + "\",\"id\":" + id + "}",
                    QJsonValue(double(n)), -32601, 0, "unknown_method"};
        // Random bytes sent as (valid UTF-8) text.
        QByteArray raw(int(1 + m_rng.bounded(300)), '\0');
        for (char &c : raw)
            c = char(m_rng.bounded(256));
        // Mostly -32700; a few happen to be JSON scalars ("7"), which are -32600 (§2.2).
        return {QString::fromLatin1(raw).toUtf8(), QJsonValue(QJsonValue::Null), 0, 0, "random_bytes"};
    }

private:
    QRandomGenerator m_rng;
};

} // namespace

class TestFaultsConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void abruptDrops()
    {
        constexpr int kTotal = 2000;
        constexpr int kWave = 250;
        QVERIFY2(fdLimit() >= 2 * kWave + 200, qPrintable(QStringLiteral("the test needs more file descriptors: ulimit -n is %1").arg(fdLimit())));
        StationProcess station(permissive());
        QVERIFY2(station.start(), qPrintable(station.log()));
        auto dumpLog = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("station %s; log tail:\n%s", station.isRunning() ? "running" : "NOT running", qPrintable(station.log().right(6000)));
        });
        const QByteArray token = StationProcess::token(QStringLiteral("operator"));
        {  // warm-up: a few complete connections, so lazily made allocations are in the baseline
            for (int i = 0; i < 20; ++i) {
                WsClient c;
                QVERIFY(c.open(station.wsUrl()));
                QVERIFY(c.authenticate(token));
                c.close();
            }
        }
        QVERIFY(waitFor([&] { return wsConnections(station) == 0; }, 10000));
        QTest::qWait(500);
        const int fd0 = openFdCount(station.pid());
        const qint64 rss0 = processRssBytes(station.pid());
        QVERIFY(fd0 > 0 && rss0 > 0);

        // 0: TCP only; 1: half an upgrade request; 2: upgraded; 3: upgraded and authenticated;
        // 4: authenticated, a request sent and not read. All are then abort()ed (RST, no close frame).
        QMap<int, int> kinds;
        int peakFds = fd0;
        int upgraded = 0;
        int authenticated = 0;
        const QByteArray upgrade = RawWebSocket::upgradeRequest(station.apiPort());
        QElapsedTimer total;
        total.start();
        for (int base = 0; base < kTotal; base += kWave) {
            std::vector<std::unique_ptr<RawWebSocket>> wave;
            for (int i = 0; i < kWave; ++i) {
                auto s = std::make_unique<RawWebSocket>();
                s->socket.connectToHost(QStringLiteral("127.0.0.1"), station.apiPort());
                wave.push_back(std::move(s));
            }
            for (int i = 0; i < kWave; ++i) {
                RawWebSocket &s = *wave[size_t(i)];
                QVERIFY2(s.socket.waitForConnected(5000), qPrintable(s.socket.errorString()));
                const int kind = (base + i) % 5;
                ++kinds[kind];
                if (kind == 1)
                    s.socket.write(upgrade.left(upgrade.size() / 2));
                else if (kind >= 2)
                    s.socket.write(upgrade);
                s.socket.flush();
            }
            for (int i = 0; i < kWave; ++i) {
                RawWebSocket &s = *wave[size_t(i)];
                const int kind = (base + i) % 5;
                if (kind < 2)
                    continue;
                QByteArray head;
                QElapsedTimer t;
                t.start();
                while (!head.contains("\r\n\r\n") && t.elapsed() < 5000) {
                    if (s.socket.waitForReadyRead(100))
                        head += s.socket.peek(4096);
                }
                QVERIFY2(head.startsWith("HTTP/1.1 101"), qPrintable(QStringLiteral("wave %1 socket %2 kind %3: state %4 error %5 head %6").arg(base).arg(i).arg(kind).arg(int(s.socket.state())).arg(s.socket.errorString(), QString::fromLatin1(head.left(200)))));
                s.socket.read(head.indexOf("\r\n\r\n") + 4);
                ++upgraded;
                if (kind >= 3) {
                    s.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"authenticate\",\"params\":{\"auth_token\":\"" + token + "\"},\"id\":1}");
                    const RawWebSocket::Frame f = s.waitFrame(0x1, 5000);
                    QVERIFY2(f.payload.contains("\"authenticated\":true"), f.payload);
                    ++authenticated;
                }
                if (kind == 4)
                    s.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"list_recordings\",\"id\":2}");
            }
            peakFds = std::max(peakFds, openFdCount(station.pid()));
            for (auto &s : wave)
                s->socket.abort();
            wave.clear();
            // Between waves: the station keeps serving a well-behaved client.
            WsClient probe;
            QVERIFY(probe.open(station.wsUrl()));
            QCOMPARE(probe.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
            probe.close();
        }
        const qint64 wavesMs = total.elapsed();

        // Everything is released.
        int conns = -1;
        const bool drained = waitFor([&] { return (conns = wsConnections(station)) == 0; }, 20000, 200);
        const qint64 drainMs = total.elapsed() - wavesMs;
        int fd1 = -1;
        const bool fdsBack = waitFor([&] { return (fd1 = openFdCount(station.pid())) <= fd0 + 20; }, 15000, 200);
        const qint64 rss1 = processRssBytes(station.pid());
        qInfo("%d connections (%d upgraded, %d authenticated; kinds %d/%d/%d/%d/%d) in %lld ms; connections back to 0 after %lld ms",
              kTotal, upgraded, authenticated, kinds.value(0), kinds.value(1), kinds.value(2), kinds.value(3), kinds.value(4), wavesMs, drainMs);
        qInfo("station fds: baseline %d, peak %d, after %d; RSS: baseline %.1f MiB, after %.1f MiB (+%.1f MiB)", fd0, peakFds, fd1,
              double(rss0) / 1048576.0, double(rss1) / 1048576.0, double(rss1 - rss0) / 1048576.0);
        QVERIFY(station.isRunning());
        QVERIFY2(drained, qPrintable(QStringLiteral("connections still %1: %2").arg(conns).arg(QString::fromUtf8(compact(websocketDetails(station))))));
        QCOMPARE(websocketDetails(station).value(QLatin1String("authenticated_connections")).toInt(-1), 0);
        QVERIFY2(fdsBack, qPrintable(QStringLiteral("fds: baseline %1, now %2").arg(fd0).arg(fd1)));
        QVERIFY2(rss1 - rss0 <= 20LL * 1024 * 1024 + StationProcess::instrumentationAllowanceBytes(),
                 qPrintable(QStringLiteral("RSS grew by %1 KiB").arg((rss1 - rss0) / 1024)));
        WsClient after;
        QVERIFY(after.open(station.wsUrl()));
        QCOMPARE(after.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QVERIFY(after.authenticate(token));
        QVERIFY(rpcIsSuccess(after.call(QStringLiteral("list_recordings"))));
        QCOMPARE(httpGet(station.healthPort(), "/health/live").status, 200);
    }

    void malformedFlood()
    {
        constexpr int kMessages = 100000;
        constexpr int kConnections = 4;
        constexpr int kWindow = 24;  // in flight per connection, below server.max_in_flight (64)
        StationProcess station(permissive());
        QVERIFY2(station.start(), qPrintable(station.log()));
        auto dumpLog = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("station %s; log tail:\n%s", station.isRunning() ? "running" : "NOT running", qPrintable(station.log().right(6000)));
        });

        struct Conn {
            std::unique_ptr<QWebSocket> ws;
            QList<Malformed> pending;  // in order sent; answers are matched by id where there is one
            bool authenticated = false;
        };
        std::vector<Conn> conns(kConnections);
        for (int i = 0; i < kConnections; ++i) {
            conns[size_t(i)].ws = std::make_unique<QWebSocket>();
            QWebSocket &ws = *conns[size_t(i)].ws;
            ws.open(QUrl(station.wsUrl()));
            QVERIFY(waitFor([&] { return ws.state() == QAbstractSocket::ConnectedState; }, 5000, 5));
            if (i < 3) {
                bool ok = false;
                auto c = connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) { ok = m.contains(QLatin1String("\"authenticated\":true")); });
                ws.sendTextMessage(QStringLiteral("{\"jsonrpc\":\"2.0\",\"method\":\"authenticate\",\"params\":{\"auth_token\":\"%1\"},\"id\":\"auth\"}")
                                       .arg(QString::fromLatin1(StationProcess::token(QStringLiteral("admin")))));
                QVERIFY(waitFor([&] { return ok; }, 5000, 5));
                disconnect(c);
                conns[size_t(i)].authenticated = true;
            }
        }

        MalformedGenerator gen(20250115);
        qint64 sent = 0;
        qint64 answered = 0;
        QStringList problems;
        QMap<QByteArray, int> kindCounts;
        QMap<int, int> codeCounts;
        qint64 bytesSent = 0;
        qint64 rssWarm = -1;
        auto sendNext = [&](Conn &c) {
            if (sent >= kMessages)
                return;
            const Malformed m = gen.next(sent);
            ++sent;
            ++kindCounts[m.kind];
            bytesSent += m.text.size();
            c.pending.append(m);
            c.ws->sendTextMessage(QString::fromUtf8(m.text));
        };
        for (Conn &c : conns) {
            connect(c.ws.get(), &QWebSocket::textMessageReceived, this, [&, conn = &c](const QString &text) {
                ++answered;
                if (conn->pending.isEmpty()) {
                    problems << QStringLiteral("unexpected message: ") + text.left(200);
                    return;
                }
                const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
                // Answers come in order here: nothing below waits on anything.
                const Malformed m = conn->pending.takeFirst();
                QString problem;
                if (doc.isNull()) {
                    problem = QStringLiteral("answer is not JSON");
                } else if (m.expectedElements > 0) {
                    if (!doc.isArray() || doc.array().size() != m.expectedElements)
                        problem = QStringLiteral("expected an array of %1").arg(m.expectedElements);
                    for (const QJsonValue &e : doc.array()) {
                        if (problem.isEmpty())
                            problem = responseProblem(e);
                        if (problem.isEmpty() && !e.toObject().contains(QLatin1String("error")))
                            problem = QStringLiteral("batch element succeeded");
                    }
                } else {
                    problem = doc.isObject() ? responseProblem(doc.object()) : QStringLiteral("an array answered a non-batch");
                    const QJsonObject o = doc.object();
                    const int code = rpcCode(o);
                    ++codeCounts[code];
                    if (problem.isEmpty() && code == 0)
                        problem = QStringLiteral("malformed request succeeded");
                    if (problem.isEmpty() && m.expectedCode != 0 && code != m.expectedCode)
                        problem = QStringLiteral("code %1, expected %2").arg(code).arg(m.expectedCode);
                    if (problem.isEmpty() && !m.expectedId.isUndefined() && o.value(QLatin1String("id")) != m.expectedId)
                        problem = QStringLiteral("id not echoed");
                    if (problem.isEmpty() && code == -32040)
                        problem = QStringLiteral("rate limited");
                }
                if (!problem.isEmpty() && problems.size() < 20)
                    problems << QStringLiteral("%1 [%2]: %3 → %4").arg(problem, QString::fromLatin1(m.kind), QString::fromUtf8(m.text.left(120)), text.left(300));
                sendNext(*conn);
            });
        }
        const qint64 rss0 = processRssBytes(station.pid());
        QElapsedTimer t;
        t.start();
        for (Conn &c : conns) {
            for (int i = 0; i < kWindow; ++i)
                sendNext(c);
        }
        const bool done = waitFor([&] {
            if (rssWarm < 0 && answered >= 5000)
                rssWarm = processRssBytes(station.pid());
            return answered >= kMessages || !station.isRunning();
        }, 100000, 10);
        const qint64 ms = t.elapsed();
        const qint64 rss1 = processRssBytes(station.pid());
        QStringList mix;
        for (auto it = kindCounts.cbegin(); it != kindCounts.cend(); ++it)
            mix << QStringLiteral("%1 %2").arg(QString::fromLatin1(it.key())).arg(it.value());
        QStringList codes;
        for (auto it = codeCounts.cbegin(); it != codeCounts.cend(); ++it)
            codes << QStringLiteral("%1×%2").arg(it.key()).arg(it.value());
        qInfo("%lld malformed messages (%.1f MB) over %d connections: %lld answered in %lld ms (%.0f/s)", sent, double(bytesSent) / 1e6, kConnections,
              answered, ms, double(answered) * 1000.0 / double(std::max<qint64>(1, ms)));
        qInfo("mix: %s", qPrintable(mix.join(QStringLiteral(", "))));
        qInfo("codes of single answers: %s", qPrintable(codes.join(QStringLiteral(", "))));
        qInfo("RSS: before %.1f MiB, after 5,000 answers %.1f MiB, at the end %.1f MiB", double(rss0) / 1048576.0, double(rssWarm) / 1048576.0,
              double(rss1) / 1048576.0);
        QVERIFY2(station.isRunning(), "the station died");
        QVERIFY2(done, qPrintable(QStringLiteral("%1 of %2 answered").arg(answered).arg(kMessages)));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        for (const Conn &c : conns)
            QCOMPARE(c.ws->state(), QAbstractSocket::ConnectedState);
        // Memory: at most 10 % above the level after the first 5,000 answers (allocator pools filled).
        QVERIFY2(double(rss1) <= double(rssWarm) * 1.10 + double(StationProcess::instrumentationAllowanceBytes()),
                 qPrintable(QStringLiteral("RSS %1 → %2 KiB").arg(rssWarm / 1024).arg(rss1 / 1024)));
        WsClient after;
        QVERIFY(after.open(station.wsUrl()));
        QCOMPARE(after.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void invalidUtf8Closes1007()
    {
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        for (const QByteArray &bad : {QByteArray("\xC3\x28"), QByteArray("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":\"\xFF\xFE\"}"),
                                      QByteArray("\xED\xA0\x80"), QByteArray("ok\xF4\x90\x80\x80")}) {
            RawWebSocket s;
            QCOMPARE(RawWebSocket::statusOf(s.handshake(station.apiPort())), 101);
            s.sendText(bad);
            const RawWebSocket::Frame close = s.waitFrame(0x8, 5000);
            QVERIFY2(close.opcode == 0x8, bad.toHex().constData());
            QCOMPARE(close.closeCode(), 1007);
            QVERIFY(s.waitDisconnected(5000));
        }
        // A valid message on another connection still works.
        RawWebSocket good;
        QCOMPARE(RawWebSocket::statusOf(good.handshake(station.apiPort())), 101);
        good.sendText("{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"id\":\"\xC3\xA9\"}");
        const RawWebSocket::Frame pong = good.waitFrame(0x1, 5000);
        QCOMPARE(QJsonDocument::fromJson(pong.payload).object().value(QLatin1String("id")).toString(), QString::fromUtf8("\xC3\xA9"));
    }

    void oversizedHeaders431()
    {
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        const QByteArray big(20 * 1024, 'h');
        struct Target {
            quint16 port;
            QByteArray path;
        };
        for (const Target &t : {Target{station.apiPort(), "/ws"}, Target{station.apiPort(), "/files/recordings/x.mp4"},
                                Target{station.healthPort(), "/health/live"}}) {
            // One 20 KB header, then twenty 1 KB headers.
            HttpResponse r = httpRequest(t.port, "GET", t.path, {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"X-Big", big}});
            QVERIFY2(r.status == 431, qPrintable(QStringLiteral("port %1 %2: %3 %4").arg(t.port).arg(QString::fromLatin1(t.path)).arg(r.status).arg(QString::fromUtf8(r.body))));
            HttpHeaders many;
            for (int i = 0; i < 20; ++i)
                many.append({"X-Filler-" + QByteArray::number(i), QByteArray(1024, 'f')});
            r = httpRequest(t.port, "GET", t.path, many);
            QVERIFY2(r.status == 431, qPrintable(QStringLiteral("port %1 %2 (many): %3").arg(t.port).arg(QString::fromLatin1(t.path)).arg(r.status)));
        }
        QCOMPARE(httpGet(station.healthPort(), "/health/live").status, 200);
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void slowloris()
    {
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        // Two slow clients, one per port, each sending its request head one byte every 250 ms.
        struct Slow {
            const char *name;
            quint16 port;
            QByteArray head;
            std::unique_ptr<QTcpSocket> socket;
            qsizetype next = 0;
            qint64 closedAtMs = -1;
        };
        const QByteArray filler(400, 'a');
        std::vector<Slow> slow;
        slow.push_back({"api", station.apiPort(), RawWebSocket::upgradeRequest(station.apiPort(), "X-Slow: " + filler + "\r\n"), nullptr});
        slow.push_back({"health", station.healthPort(), "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + filler + "\r\n\r\n", nullptr});
        for (Slow &s : slow) {
            s.socket = std::make_unique<QTcpSocket>();
            s.socket->connectToHost(QStringLiteral("127.0.0.1"), s.port);
            QVERIFY(s.socket->waitForConnected(3000));
        }
        WsClient other;
        QVERIFY(other.open(station.wsUrl()));
        QElapsedTimer t;
        t.start();
        int pings = 0;
        int healthOk = 0;
        qint64 worstPingMs = 0;
        qint64 lastByte = -1000;
        while (t.elapsed() < 25000) {
            bool open = false;
            for (Slow &s : slow) {
                if (s.closedAtMs >= 0)
                    continue;
                if (s.socket->state() != QAbstractSocket::ConnectedState) {
                    s.closedAtMs = t.elapsed();
                    continue;
                }
                open = true;
                if (t.elapsed() - lastByte >= 250 && s.next < s.head.size() - 4)  // never the final CRLF CRLF
                    s.socket->write(s.head.mid(s.next++, 1));
            }
            if (t.elapsed() - lastByte >= 250)
                lastByte = t.elapsed();
            if (!open)
                break;
            // Others are served meanwhile.
            QElapsedTimer p;
            p.start();
            const QJsonValue pong = other.result(QStringLiteral("ping"));
            worstPingMs = std::max(worstPingMs, p.elapsed());
            pings += pong.toString() == QLatin1String("pong") ? 1 : 0;
            healthOk += httpGet(station.healthPort(), "/health/ready").status != 0 ? 1 : 0;
            QTest::qWait(50);
        }
        for (const Slow &s : slow)
            qInfo("slowloris on the %s port: dropped after %lld ms (%lld of %lld head bytes sent)", s.name, s.closedAtMs, qint64(s.next), qint64(s.head.size()));
        qInfo("meanwhile %d pings answered (worst %lld ms), %d health requests answered", pings, worstPingMs, healthOk);
        QVERIFY(pings > 20);
        QVERIFY(healthOk > 20);
        QVERIFY(worstPingMs < 1000);
        for (const Slow &s : slow) {
            QVERIFY2(s.closedAtMs >= 0, qPrintable(QStringLiteral("the %1 port kept a slowloris client for %2 ms").arg(QLatin1String(s.name)).arg(t.elapsed())));
            QVERIFY2(s.closedAtMs >= 8000 && s.closedAtMs <= 13000, qPrintable(QStringLiteral("%1: dropped after %2 ms").arg(QLatin1String(s.name)).arg(s.closedAtMs)));
        }
    }
};

QTEST_GUILESS_MAIN(TestFaultsConnections)
#include "tst_faults_connections.moc"
