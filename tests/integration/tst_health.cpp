// Health and metrics endpoints of the real binary (API.md §14, §9.1, §9.2, §15 shutdown).
// The StationProcess points mediamtx.binary at a path that does not exist, so
// MediaMTX is "not installed" for the whole run.
#include "HttpClient.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QAtomicInt>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTest>
#include <QThread>
#include <QWebSocket>

#include <csignal>

using namespace station::test;

namespace {

const QRegularExpression kIsoTime(QStringLiteral(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"));

// Floods the API from its own thread (its own event loop), so the test
// thread can time health requests meanwhile.
class Flooder : public QThread
{
public:
    Flooder(QString url, QByteArray token) : m_url(std::move(url)), m_token(std::move(token)) {}
    QAtomicInt stop{0};
    QAtomicInt sent{0};
    QAtomicInt received{0};

protected:
    void run() override
    {
        std::vector<std::unique_ptr<QWebSocket>> sockets;
        for (int i = 0; i < 4; ++i) {
            auto ws = std::make_unique<QWebSocket>();
            QWebSocket *raw = ws.get();
            QObject::connect(raw, &QWebSocket::textMessageReceived, raw, [this, raw](const QString &text) {
                received.ref();
                if (text.startsWith(QLatin1Char('[')) || text.contains(QLatin1String("Rate limited")))
                    raw->setProperty("answered", raw->property("answered").toInt() + 1);
            });
            QObject::connect(raw, &QWebSocket::disconnected, raw, [raw] {
                raw->setProperty("authSent", false);
                raw->setProperty("sent", 0);
                raw->setProperty("answered", 0);
            });
            ws->open(QUrl(m_url));
            sockets.push_back(std::move(ws));
        }
        QEventLoop loop;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 5000) {
            loop.processEvents(QEventLoop::AllEvents, 20);
            bool all = true;
            for (auto &ws : sockets)
                all = all && ws->state() == QAbstractSocket::ConnectedState;
            if (all)
                break;
        }
        const QString auth = QStringLiteral(R"({"jsonrpc":"2.0","method":"authenticate","params":{"auth_token":"%1"},"id":0})")
                                 .arg(QString::fromLatin1(m_token));
        QStringList entries;
        for (int i = 0; i < 50; ++i)
            entries << QStringLiteral(R"({"jsonrpc":"2.0","method":"%1","id":%2})")
                           .arg(i % 2 ? QStringLiteral("get_metrics") : QStringLiteral("list_recordings"))
                           .arg(i + 1);
        const QString batch = QLatin1Char('[') + entries.join(QLatin1Char(',')) + QLatin1Char(']');
        while (!stop.loadRelaxed()) {
            for (auto &ws : sockets) {
                if (ws->state() == QAbstractSocket::UnconnectedState) {
                    ws->open(QUrl(m_url));  // closed for flooding: come back
                    continue;
                }
                if (ws->state() != QAbstractSocket::ConnectedState)
                    continue;  // (re)connecting
                if (!ws->property("authSent").toBool()) {
                    ws->sendTextMessage(auth);
                    ws->setProperty("authSent", true);
                }
                // At most 8 unanswered batches per connection: a flood, not a memory test of this process.
                const int inFlight = ws->property("sent").toInt() - ws->property("answered").toInt();
                if (inFlight < 8) {
                    ws->sendTextMessage(batch);
                    ws->setProperty("sent", ws->property("sent").toInt() + 1);
                    sent.fetchAndAddRelaxed(50);
                }
            }
            loop.processEvents(QEventLoop::AllEvents, 5);
        }
        for (auto &ws : sockets)
            ws->abort();
    }

private:
    QString m_url;
    QByteArray m_token;
};

} // namespace

class TestHealth : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;

    HttpResponse health(const QByteArray &target, const QByteArray &method = "GET") const
    {
        return httpRequest(m_station->healthPort(), method, target);
    }

    static void commonHeaders(const HttpResponse &r)
    {
        QCOMPARE(r.header("Cache-Control"), QByteArray("no-cache, no-store, must-revalidate"));
        QCOMPARE(r.header("Access-Control-Allow-Origin"), QByteArray("*"));
    }

    // The value of the first sample line `name{labels} value` (labels given exactly, or none).
    static double sample(const QByteArray &text, const QByteArray &series, bool *found = nullptr)
    {
        for (const QByteArray &line : text.split('\n')) {
            if (line.startsWith(series + ' ')) {
                if (found)
                    *found = true;
                return line.mid(series.size() + 1).trimmed().toDouble();
            }
        }
        if (found)
            *found = false;
        return -1;
    }

    // Polls /health/ready until its reasons are exactly `reasons`; empty object on timeout.
    QJsonObject waitReadyReasons(const QStringList &reasons)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 10000) {
            const QJsonObject o = health("/health/ready").json();
            if (o.value(QLatin1String("reasons")).toArray() == QJsonArray::fromStringList(reasons))
                return o;
            QTest::qWait(50);
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_station = std::make_unique<StationProcess>();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
    }

    void cleanupTestCase()
    {
        if (m_station)
            m_station->stop();
    }

    void bothPortsUpAfterStart()
    {
        QVERIFY(m_station->healthPort() != 0);
        QVERIFY(m_station->apiPort() != m_station->healthPort());
        // Health answers without any API activity; the API accepts WebSockets.
        QCOMPARE(health("/health/live").status, 200);
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        // The health port does not serve the API and vice versa.
        QCOMPARE(health("/ws").status, 404);
        QCOMPARE(httpGet(m_station->apiPort(), "/health").status, 404);
    }

    void healthSummary()
    {
        const HttpResponse r = health("/health");
        // MediaMTX is not installed: unhealthy, and unhealthy is 503.
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        commonHeaders(r);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("unhealthy"));
        QVERIFY(kIsoTime.match(o.value(QLatin1String("timestamp")).toString()).hasMatch());
        QVERIFY(QRegularExpression(QStringLiteral(R"(^\d+\.\d+\.\d+)")).match(o.value(QLatin1String("version")).toString()).hasMatch());
        const QRegularExpressionMatch m = QRegularExpression(QStringLiteral(R"(^(\d+)h(\d+)m(\d+)s$)")).match(o.value(QLatin1String("uptime")).toString());
        QVERIFY2(m.hasMatch(), qPrintable(o.value(QLatin1String("uptime")).toString()));
        QVERIFY(o.value(QLatin1String("uptime_seconds")).isDouble());
        const qint64 secs = o.value(QLatin1String("uptime_seconds")).toInteger();
        QCOMPARE(m.captured(1).toLongLong() * 3600 + m.captured(2).toLongLong() * 60 + m.captured(3).toLongLong(), secs);
        QVERIFY(m.captured(2).toInt() < 60 && m.captured(3).toInt() < 60);
        QVERIFY(secs >= 0 && secs < 120);
        // The version is the one the API reports.
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QCOMPARE(o.value(QLatin1String("version")).toString(),
                 c.result(QStringLiteral("get_server_info")).toObject().value(QLatin1String("version")).toString());
        // Uptime advances.
        QTest::qWait(1100);
        QVERIFY(health("/health").json().value(QLatin1String("uptime_seconds")).toInteger() > secs);
    }

    void live()
    {
        const HttpResponse r = health("/health/live");
        QCOMPARE(r.status, 200);
        commonHeaders(r);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("alive")), QJsonValue(true));
        QCOMPARE(o.value(QLatin1String("message")).toString(), QStringLiteral("alive"));
        QVERIFY(kIsoTime.match(o.value(QLatin1String("timestamp")).toString()).hasMatch());
    }

    void readyWithoutMediaMtx()
    {
        // Once discovery has run, MediaMTX is the only thing missing.
        const QJsonObject o = waitReadyReasons({QStringLiteral("mediamtx_unavailable")});
        QVERIFY2(!o.isEmpty(), health("/health/ready").body.constData());
        const HttpResponse r = health("/health/ready");
        QCOMPARE(r.status, 503);
        commonHeaders(r);
        QCOMPARE(o.value(QLatin1String("ready")), QJsonValue(false));
        QCOMPARE(o.value(QLatin1String("reason")).toString(), QStringLiteral("mediamtx_unavailable"));
        QCOMPARE(o.value(QLatin1String("message")).toString(), QStringLiteral("not ready: mediamtx_unavailable"));
        QVERIFY(kIsoTime.match(o.value(QLatin1String("timestamp")).toString()).hasMatch());
    }

    void detailed()
    {
        const HttpResponse r = health("/health/detailed");
        QCOMPARE(r.status, 503);  // unhealthy overall
        commonHeaders(r);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("status")).toString(), QStringLiteral("unhealthy"));
        for (const char *k : {"timestamp", "version", "uptime", "uptime_seconds", "metrics", "environment"})
            QVERIFY2(o.contains(QLatin1String(k)), k);
        QCOMPARE(o.value(QLatin1String("environment")).toString(), QStringLiteral("production"));
        const QJsonArray comps = o.value(QLatin1String("components")).toArray();
        QStringList names;
        int counts[3] = {0, 0, 0};
        for (const QJsonValue &v : comps) {
            const QJsonObject c = v.toObject();
            names << c.value(QLatin1String("name")).toString();
            const QString s = c.value(QLatin1String("status")).toString();
            QVERIFY2(s == QLatin1String("healthy") || s == QLatin1String("degraded") || s == QLatin1String("unhealthy"), qPrintable(s));
            ++counts[s == QLatin1String("healthy") ? 0 : s == QLatin1String("degraded") ? 1 : 2];
            QVERIFY(!c.value(QLatin1String("message")).toString().isEmpty());
            QVERIFY(kIsoTime.match(c.value(QLatin1String("last_checked")).toString()).hasMatch());
            QVERIFY(c.value(QLatin1String("details")).isObject());
        }
        QCOMPARE(names, (QStringList{QStringLiteral("websocket_server"), QStringLiteral("camera_monitor"), QStringLiteral("mediamtx"),
                                     QStringLiteral("storage")}));
        const QJsonObject ws = comps.at(0).toObject();
        QCOMPARE(ws.value(QLatin1String("status")).toString(), QStringLiteral("healthy"));
        QCOMPARE(ws.value(QLatin1String("details")).toObject().value(QLatin1String("port")).toInt(), int(m_station->apiPort()));
        QCOMPARE(ws.value(QLatin1String("details")).toObject().value(QLatin1String("max_connections")).toInt(), 100);
        const QJsonObject mtx = comps.at(2).toObject();
        QCOMPARE(mtx.value(QLatin1String("status")).toString(), QStringLiteral("unhealthy"));
        QVERIFY2(mtx.value(QLatin1String("message")).toString().contains(QLatin1String("not installed")),
                 qPrintable(mtx.value(QLatin1String("message")).toString()));
        QVERIFY2(!mtx.value(QLatin1String("message")).toString().contains(QLatin1String("/nonexistent")), "no file-system paths in health output");
        for (const char *k : {"version", "ready_paths", "total_paths", "consecutive_failures", "last_success", "restarts"})
            QVERIFY2(mtx.value(QLatin1String("details")).toObject().contains(QLatin1String(k)), k);
        const QJsonObject storage = comps.at(3).toObject().value(QLatin1String("details")).toObject();
        QCOMPARE(storage.value(QLatin1String("writable")), QJsonValue(true));
        QVERIFY(storage.value(QLatin1String("total_bytes")).toDouble() > 0);
        QCOMPARE(storage.value(QLatin1String("warn_threshold_percent")).toInt(), 70);
        QCOMPARE(storage.value(QLatin1String("block_threshold_percent")).toInt(), 85);
        const QJsonObject metrics = o.value(QLatin1String("metrics")).toObject();
        QCOMPARE(metrics.value(QLatin1String("component_count")).toInt(), 4);
        QCOMPARE(metrics.value(QLatin1String("components_healthy")).toInt(), counts[0]);
        QCOMPARE(metrics.value(QLatin1String("components_degraded")).toInt(), counts[1]);
        QCOMPARE(metrics.value(QLatin1String("components_unhealthy")).toInt(), counts[2]);
        QVERIFY(!r.body.contains(m_station->dataDir().toUtf8()));  // no file-system paths
    }

    void getStatusMatchesDetailed()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const QJsonObject status = c.result(QStringLiteral("get_status")).toObject();
        const QJsonObject detailed = health("/health/detailed").json();
        QCOMPARE(status.value(QLatin1String("status")).toString(), detailed.value(QLatin1String("status")).toString().toUpper());
        QCOMPARE(status.value(QLatin1String("status")).toString(), QStringLiteral("UNHEALTHY"));
        QCOMPARE(status.value(QLatin1String("version")).toString(), detailed.value(QLatin1String("version")).toString());
        QVERIFY(status.value(QLatin1String("uptime")).isDouble());
        QVERIFY(std::abs(status.value(QLatin1String("uptime")).toDouble() - detailed.value(QLatin1String("uptime_seconds")).toDouble()) < 3);
        const QJsonObject comps = status.value(QLatin1String("components")).toObject();
        QCOMPARE(comps.keys().size(), 4);
        for (const QJsonValue &v : detailed.value(QLatin1String("components")).toArray()) {
            const QString name = v.toObject().value(QLatin1String("name")).toString();
            const QString h = v.toObject().value(QLatin1String("status")).toString();
            const QString s = comps.value(name).toString();
            const QStringList allowed = h == QLatin1String("healthy")    ? QStringList{QStringLiteral("RUNNING")}
                                      : h == QLatin1String("degraded") ? QStringList{QStringLiteral("RUNNING"), QStringLiteral("STARTING")}
                                                                         : QStringList{QStringLiteral("ERROR"), QStringLiteral("STOPPED")};
            QVERIFY2(allowed.contains(s), qPrintable(name + QLatin1Char(' ') + h + QStringLiteral(" → ") + s));
        }
        QCOMPARE(comps.value(QLatin1String("websocket_server")).toString(), QStringLiteral("RUNNING"));
        // Viewers and operators may not call it.
        WsClient op;
        QVERIFY(op.open(m_station->wsUrl()));
        QVERIFY(op.authenticate(StationProcess::token(QStringLiteral("operator"))));
        QCOMPARE(op.errorCode(QStringLiteral("get_status")), -32002);
    }

    void systemStatusStarting()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QVERIFY(!waitReadyReasons({QStringLiteral("mediamtx_unavailable")}).isEmpty());
        const QJsonObject s = c.result(QStringLiteral("get_system_status")).toObject();
        // MediaMTX has never been available since start-up.
        QCOMPARE(s.value(QLatin1String("status")).toString(), QStringLiteral("starting"));
        QVERIFY2(s.value(QLatin1String("message")).toString().contains(QLatin1String("MediaMTX")),
                 qPrintable(s.value(QLatin1String("message")).toString()));
        QVERIFY2(!s.value(QLatin1String("message")).toString().contains(QLatin1String("/nonexistent")), "no file-system paths");
        QVERIFY(s.value(QLatin1String("available_cameras")).isArray());
        QVERIFY(s.value(QLatin1String("discovery_active")).isBool());
    }

    void metrics()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        for (int i = 0; i < 3; ++i)
            QVERIFY(c.result(QStringLiteral("get_server_info")).isObject());
        QCOMPARE(c.errorCode(QStringLiteral("get_status")), -32002);
        QCOMPARE(c.errorCode(QStringLiteral("definitely_not_a_method")), -32601);

        const HttpResponse r = health("/metrics");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        commonHeaders(r);
        const QByteArray &t = r.body;
        bool found = false;
        const QByteArray version = health("/health").json().value(QLatin1String("version")).toString().toUtf8();
        QCOMPARE(sample(t, "camera_station_build_info{version=\"" + version + "\",qt_version=\"" + qVersion() + "\"}", &found), 1.0);
        QVERIFY2(found, t.constData());
        QVERIFY(t.contains("# TYPE camera_station_build_info gauge"));
        QCOMPARE(sample(t, "camera_station_ready", &found), 0.0);
        QVERIFY(found);
        QVERIFY(t.contains("# TYPE camera_station_rpc_requests_total counter"));
        QVERIFY(sample(t, "camera_station_rpc_requests_total{method=\"get_server_info\",code=\"ok\"}", &found) >= 3);
        QVERIFY2(found, t.constData());
        QVERIFY(sample(t, "camera_station_rpc_requests_total{method=\"get_status\",code=\"-32002\"}", &found) >= 1);
        QVERIFY2(found, t.constData());
        QVERIFY(sample(t, "camera_station_rpc_requests_total{method=\"authenticate\",code=\"ok\"}", &found) >= 1);
        QVERIFY(found);
        // Client input never becomes a label value.
        QVERIFY(!t.contains("definitely_not_a_method"));
        QVERIFY(sample(t, "camera_station_rpc_requests_total{method=\"unknown\",code=\"-32601\"}", &found) >= 1);
        QVERIFY2(found, t.constData());
        QCOMPARE(sample(t, "camera_station_component_status{component=\"mediamtx\"}", &found), 2.0);
        QVERIFY(found);
        QCOMPARE(sample(t, "camera_station_mediamtx_up", &found), 0.0);
        QVERIFY(found);
        const double rss = sample(t, "process_resident_memory_bytes", &found);
        QVERIFY(found);
        QVERIFY(rss > 1e6 && rss < 1e9);
        QVERIFY(sample(t, "camera_station_uptime_seconds", &found) >= 0 && found);
        // Every unlabelled family of §14.5 has a sample from the start (an absent series is "no data", not 0).
        for (const QByteArray series : {"camera_station_slow_consumer_disconnects_total", "camera_station_rate_limited_total",
                                        "camera_station_recordings_active", "camera_station_mediamtx_restarts_total",
                                        "camera_station_storage_usage_ratio", "camera_station_storage_available_bytes"}) {
            sample(t, series, &found);
            QVERIFY2(found, series.constData());
        }
        QCOMPARE(sample(t, "camera_station_recordings_active"), 0.0);
        QCOMPARE(sample(t, "camera_station_mediamtx_restarts_total"), 0.0);
        QVERIFY(sample(t, "camera_station_websocket_connections{state=\"authenticated\"}", &found) >= 1 && found);
        sample(t, "camera_station_websocket_connections{state=\"unauthenticated\"}", &found);
        QVERIFY(found);
        QVERIFY(!t.contains(m_station->dataDir().toUtf8()));
    }

    void methodsAndUnknownPaths()
    {
        for (const QByteArray path : {"/health", "/health/live", "/health/ready", "/health/detailed", "/metrics"}) {
            for (const QByteArray method : {"POST", "PUT", "DELETE"}) {
                const HttpResponse r = httpRequest(m_station->healthPort(), method, path, {{"Content-Length", "0"}});
                QVERIFY2(r.status == 405, path + ' ' + method + " → " + QByteArray::number(r.status));
                QCOMPARE(r.json().value(QLatin1String("error")).toString(), QStringLiteral("method_not_allowed"));
                commonHeaders(r);
            }
            const HttpResponse head = health(path, "HEAD");
            QVERIFY(head.status == 200 || head.status == 503);
            QCOMPARE(head.bodyBytes, qint64(0));
            QVERIFY(head.header("Content-Length").toInt() > 0);
        }
        for (const QByteArray path : {"/", "/nope", "/health/nope", "/healthz", "/metrics/x", "/files/recordings/x.mp4"}) {
            const HttpResponse r = health(path);
            QCOMPARE(r.status, 404);
            QCOMPARE(r.json().value(QLatin1String("error")).toString(), QStringLiteral("not_found"));
            commonHeaders(r);
        }
    }

    void oversizedHeaders()
    {
        const HttpResponse r = httpRequest(m_station->healthPort(), "GET", "/health/live", {{"X-Padding", QByteArray(17 * 1024, 'x')}});
        QCOMPARE(r.status, 431);
        QCOMPARE(health("/health/live").status, 200);
    }

    void answersWhileApiIsFlooded()
    {
        Flooder flood(m_station->wsUrl(), StationProcess::token(QStringLiteral("admin")));
        flood.start();
        const auto stopFlood = qScopeGuard([&flood] {
            flood.stop.storeRelaxed(1);
            flood.wait(10000);
        });
        QTRY_VERIFY_WITH_TIMEOUT(flood.received.loadRelaxed() > 200, 10000);  // the API is busy now
        qint64 worst = 0;
        for (int i = 0; i < 20; ++i) {
            for (const QByteArray path : {"/health/live", "/health/ready", "/health", "/metrics"}) {
                QElapsedTimer t;
                t.start();
                const HttpResponse r = health(path);
                worst = std::max(worst, t.elapsed());
                QVERIFY2(r.status == 200 || r.status == 503, path.constData());
                QVERIFY(r.complete);
            }
            QCOMPARE(health("/health/live").status, 200);
        }
        const int sentBefore = flood.sent.loadRelaxed();
        flood.stop.storeRelaxed(1);
        QVERIFY(flood.wait(10000));
        qInfo("API requests sent during the flood: %d, answers: %d; slowest health answer %lld ms", sentBefore,
              flood.received.loadRelaxed(), worst);
        QVERIFY2(worst < 1000, qPrintable(QStringLiteral("slowest health answer took %1 ms").arg(worst)));
        // And the API is still fine afterwards: once the flooders' closing connections are
        // gone, for they count against 127.0.0.1's 32 (API.md §15); until then a 503 with
        // Retry-After is the right answer (slow under ASan, which closes them slower).
        WsClient c;
        QVERIFY(waitFor([&] { return c.open(m_station->wsUrl()); }, 15000, 500));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void sigtermRightAfterStartIsGraceful()
    {
        // "serving:" (and systemd READY=1) is printed by then, so SIGTERM must already mean a graceful stop.
        for (int i = 0; i < 5; ++i) {
            StationProcess station;
            QVERIFY2(station.start(), qPrintable(station.log()));
            QCOMPARE(::kill(pid_t(station.pid()), SIGTERM), 0);
            QVERIFY(station.waitForExit(15000));
            QVERIFY2(station.exitStatus() == QProcess::NormalExit && station.exitCode() == 0,
                     qPrintable(QStringLiteral("run %1: status %2 code %3\n%4").arg(i).arg(int(station.exitStatus())).arg(station.exitCode()).arg(station.log())));
        }
    }

    void sigtermShutdown()
    {
        // A connected client that does not answer the close handshake right away
        // keeps the station in its shutdown phase for a moment.
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        QCOMPARE(::kill(pid_t(m_station->pid()), SIGTERM), 0);
        // Blocking HTTP here: the test's event loop does not run, so the WebSocket close stays pending.
        QJsonObject ready;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 3000) {
            const HttpResponse r = health("/health/ready");
            if (r.status == 503 && r.json().value(QLatin1String("reasons")).toArray().contains(QStringLiteral("shutting_down"))) {
                ready = r.json();
                break;
            }
            QThread::msleep(20);
        }
        QVERIFY2(!ready.isEmpty(), "never saw /health/ready report shutting_down");
        QCOMPARE(ready.value(QLatin1String("ready")), QJsonValue(false));
        QCOMPARE(ready.value(QLatin1String("reasons")).toArray().last().toString(), QStringLiteral("shutting_down"));
        // Now let the client see the close: 1001 going away.
        QVERIFY(c.waitClosed(12000));
        QCOMPARE(c.closeCode(), 1001);
        QElapsedTimer exitTimer;
        exitTimer.start();
        while (m_station->isRunning() && exitTimer.elapsed() < 12000)
            QTest::qWait(50);
        QVERIFY(!m_station->isRunning());
        QCOMPARE(m_station->exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_station->exitCode(), 0);
        QVERIFY2(m_station->log().contains(QLatin1String("shutting down")), qPrintable(m_station->log()));
    }
};

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
