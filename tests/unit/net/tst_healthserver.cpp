#include "net/HealthServer.h"
#include "health/HealthState.h"
#include "health/MetricsRegistry.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <optional>
#include <thread>

using namespace station::health;
using namespace station::net;

namespace {

struct Reply {
    int status = 0;
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Blocking client: the server runs on its own thread, so this may block the caller's.
std::optional<Reply> exchange(QTcpSocket &s, const QByteArray &raw, bool head = false)
{
    s.write(raw);
    if (!s.waitForBytesWritten(2000))
        return std::nullopt;
    QByteArray in;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 5000) {
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end >= 0) {
            Reply r;
            const QList<QByteArray> lines = in.left(end).split('\n');
            r.status = lines.first().split(' ').value(1).toInt();
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray l = lines[i].trimmed();
                r.headers.insert(l.left(l.indexOf(':')).toLower(), l.mid(l.indexOf(':') + 1).trimmed());
            }
            const qint64 len = head ? 0 : r.headers.value("content-length").toLongLong();
            if (in.size() >= end + 4 + len) {
                r.body = in.mid(end + 4, len);
                return r;
            }
        }
        if (!s.waitForReadyRead(200) && s.state() != QAbstractSocket::ConnectedState)
            break;
        in += s.readAll();
    }
    return std::nullopt;
}

std::optional<Reply> request(quint16 port, const QByteArray &method, const QByteArray &path)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(2000))
        return std::nullopt;
    return exchange(s, method + ' ' + path + " HTTP/1.1\r\nHost: x\r\n\r\n", method == "HEAD");
}

ComponentHealth component(const QString &name, const QString &status)
{
    return {name, status, name + QStringLiteral(" ok"), QDateTime::currentDateTimeUtc(),
            QJsonObject{{QStringLiteral("port"), 8002}}, QStringLiteral("RUNNING")};
}

HealthSnapshot snapshot(const QStringList &statuses, const QStringList &readyFailures = {})
{
    static const QStringList names{QStringLiteral("websocket_server"), QStringLiteral("camera_monitor"),
                                   QStringLiteral("mediamtx"), QStringLiteral("storage")};
    HealthSnapshot s;
    for (int i = 0; i < 4; ++i)
        s.components.append(component(names[i], statuses.value(i, QStringLiteral("healthy"))));
    s.readyFailures = readyFailures;
    return s;
}

const QRegularExpression kTimestamp(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"));

} // namespace

class TestHealthServer : public QObject
{
    Q_OBJECT

    std::unique_ptr<HealthState> m_state;
    std::unique_ptr<MetricsRegistry> m_metrics;
    std::unique_ptr<HealthServer> m_server;
    quint16 m_port = 0;

private slots:
    void init()
    {
        m_state = std::make_unique<HealthState>();
        m_metrics = std::make_unique<MetricsRegistry>();
        m_server = std::make_unique<HealthServer>(m_state.get(), m_metrics.get(), QStringLiteral("0.1.0"));
        QString error;
        m_port = m_server->start(QHostAddress::LocalHost, 0, &error);
        QVERIFY2(m_port != 0, qPrintable(error));
    }

    void cleanup()
    {
        m_server.reset();
    }

    void overallOfSnapshot()
    {
        QCOMPARE(HealthSnapshot().overallStatus(), QStringLiteral("healthy"));
        QCOMPARE(snapshot({}).overallStatus(), QStringLiteral("healthy"));
        QCOMPARE(snapshot({"healthy", "degraded"}).overallStatus(), QStringLiteral("degraded"));
        QCOMPARE(snapshot({"unhealthy", "degraded"}).overallStatus(), QStringLiteral("unhealthy"));
    }

    void health()
    {
        auto r = request(m_port, "GET", "/health");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(r->headers.value("cache-control"), QByteArray("no-cache, no-store, must-revalidate"));
        QCOMPARE(r->headers.value("access-control-allow-origin"), QByteArray("*"));
        QJsonObject o = r->json();
        QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
        QCOMPARE(o.value(QStringLiteral("version")).toString(), QStringLiteral("0.1.0"));
        QVERIFY(QRegularExpression(QStringLiteral("^\\d+h\\d+m\\d+s$")).match(o.value(QStringLiteral("uptime")).toString()).hasMatch());
        QVERIFY(o.value(QStringLiteral("uptime_seconds")).isDouble());
        QVERIFY(kTimestamp.match(o.value(QStringLiteral("timestamp")).toString()).hasMatch());

        m_state->publish(snapshot({"healthy", "degraded"}));
        r = request(m_port, "GET", "/health");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->json().value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));

        m_state->publish(snapshot({"healthy", "degraded", "unhealthy"}));
        r = request(m_port, "GET", "/health");
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->json().value(QStringLiteral("status")).toString(), QStringLiteral("unhealthy"));

        m_state->publish(snapshot({}));
        r = request(m_port, "GET", "/health");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
    }

    void detailed()
    {
        m_state->publish(snapshot({"healthy", "healthy", "healthy", "degraded"}));
        auto r = request(m_port, "GET", "/health/detailed");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QJsonObject o = r->json();
        QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
        QCOMPARE(o.value(QStringLiteral("environment")).toString(), QStringLiteral("production"));
        for (const char *key : {"timestamp", "version", "uptime", "uptime_seconds"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        const QJsonArray components = o.value(QStringLiteral("components")).toArray();
        QCOMPARE(components.size(), 4);
        const QStringList names{"websocket_server", "camera_monitor", "mediamtx", "storage"};
        for (int i = 0; i < 4; ++i) {
            const QJsonObject c = components[i].toObject();
            QCOMPARE(c.value(QStringLiteral("name")).toString(), names[i]);
            QCOMPARE(c.value(QStringLiteral("status")).toString(), i == 3 ? QStringLiteral("degraded") : QStringLiteral("healthy"));
            QCOMPARE(c.value(QStringLiteral("message")).toString(), names[i] + QStringLiteral(" ok"));
            QVERIFY(kTimestamp.match(c.value(QStringLiteral("last_checked")).toString()).hasMatch());
            QCOMPARE(c.value(QStringLiteral("details")).toObject().value(QStringLiteral("port")).toInt(), 8002);
        }
        const QJsonObject metrics = o.value(QStringLiteral("metrics")).toObject();
        QCOMPARE(metrics.value(QStringLiteral("component_count")).toInt(), 4);
        QCOMPARE(metrics.value(QStringLiteral("components_healthy")).toInt(), 3);
        QCOMPARE(metrics.value(QStringLiteral("components_degraded")).toInt(), 1);
        QCOMPARE(metrics.value(QStringLiteral("components_unhealthy")).toInt(), 0);
        QVERIFY(metrics.contains(QStringLiteral("uptime_seconds")));

        m_server->setEnvironment(QStringLiteral("staging"));
        m_state->publish(snapshot({"unhealthy"}));
        r = request(m_port, "GET", "/health/detailed");
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->json().value(QStringLiteral("environment")).toString(), QStringLiteral("staging"));
        QCOMPARE(r->json().value(QStringLiteral("metrics")).toObject().value(QStringLiteral("components_unhealthy")).toInt(), 1);
    }

    void ready()
    {
        auto r = request(m_port, "GET", "/health/ready");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->json().value(QStringLiteral("ready")).toBool(), true);
        QCOMPARE(r->json().value(QStringLiteral("message")).toString(), QStringLiteral("ready"));

        m_state->publish(snapshot({}, {"camera_discovery_pending", "mediamtx_unavailable"}));
        r = request(m_port, "GET", "/health/ready");
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QJsonObject o = r->json();
        QCOMPARE(o.value(QStringLiteral("ready")).toBool(true), false);
        QCOMPARE(o.value(QStringLiteral("message")).toString(), QStringLiteral("not ready: camera_discovery_pending"));
        QCOMPARE(o.value(QStringLiteral("reason")).toString(), QStringLiteral("camera_discovery_pending"));
        QCOMPARE(o.value(QStringLiteral("reasons")).toArray(), QJsonArray({"camera_discovery_pending", "mediamtx_unavailable"}));
        QVERIFY(kTimestamp.match(o.value(QStringLiteral("timestamp")).toString()).hasMatch());

        m_state->publish(snapshot({}));
        QCOMPARE(request(m_port, "GET", "/health/ready")->status, 200);

        // Shutdown shows immediately, before the main loop publishes again.
        m_state->setShuttingDown();
        r = request(m_port, "GET", "/health/ready");
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->json().value(QStringLiteral("reasons")).toArray(), QJsonArray({"shutting_down"}));
        m_state->publish(snapshot({}, {"shutting_down"}));
        QCOMPARE(request(m_port, "GET", "/health/ready")->json().value(QStringLiteral("reasons")).toArray().size(), 1);
    }

    void live()
    {
        m_state->heartbeat();
        auto r = request(m_port, "GET", "/health/live");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->json().value(QStringLiteral("alive")).toBool(), true);
        QCOMPARE(r->json().value(QStringLiteral("message")).toString(), QStringLiteral("alive"));

        m_server->setLivenessStallMs(200);
        QTest::qSleep(1100);  // no heartbeat
        r = request(m_port, "GET", "/health/live");
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->json().value(QStringLiteral("alive")).toBool(true), false);
        QCOMPARE(r->json().value(QStringLiteral("message")).toString(), QStringLiteral("main event loop stalled for 1 s"));

        m_state->heartbeat();
        QCOMPARE(request(m_port, "GET", "/health/live")->status, 200);
    }

    void metrics()
    {
        m_metrics->declare(QStringLiteral("camera_station_recordings_active"), MetricsRegistry::Type::Gauge, QStringLiteral("Active recordings."));
        m_metrics->set(QStringLiteral("camera_station_recordings_active"), {}, 2);
        m_state->publish(snapshot({"healthy", "degraded"}, {"mediamtx_unavailable"}));
        auto r = request(m_port, "GET", "/metrics");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->headers.value("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        QCOMPARE(r->headers.value("cache-control"), QByteArray("no-cache, no-store, must-revalidate"));
        const QByteArray &t = r->body;
        QVERIFY(t.contains("camera_station_recordings_active 2\n"));
        QVERIFY(t.contains("camera_station_ready 0\n"));
        QVERIFY(t.contains("camera_station_component_status{component=\"camera_monitor\"} 1\n"));
        QVERIFY(t.contains("camera_station_component_status{component=\"storage\"} 0\n"));
        QVERIFY(t.contains("camera_station_build_info{version=\"0.1.0\",qt_version=\"" + QByteArray(qVersion()) + "\"} 1\n"));
        QVERIFY(t.contains("# TYPE camera_station_uptime_seconds gauge\n"));
        QVERIFY(t.contains("\nprocess_resident_memory_bytes "));
        m_state->publish(snapshot({}));
        QVERIFY(request(m_port, "GET", "/metrics")->body.contains("camera_station_ready 1\n"));
    }

    void headAndMethods()
    {
        auto r = request(m_port, "HEAD", "/health");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->headers.value("content-length").toInt() > 0);
        QVERIFY(r->body.isEmpty());
        for (const QByteArray &m : {QByteArray("POST"), QByteArray("DELETE"), QByteArray("OPTIONS")}) {
            r = request(m_port, m, "/health");
            QVERIFY(r);
            QCOMPARE(r->status, 405);
            QCOMPARE(r->headers.value("allow"), QByteArray("GET, HEAD"));
        }
        r = request(m_port, "GET", "/nope");
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        QCOMPARE(r->json().value(QStringLiteral("error")).toString(), QStringLiteral("not_found"));
        QCOMPARE(r->headers.value("access-control-allow-origin"), QByteArray("*"));
    }

    void headerTooLarge()
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(s.waitForConnected(2000));
        const auto r = exchange(s, "GET /health HTTP/1.1\r\nX-Big: " + QByteArray(20 * 1024, 'x') + "\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 431);
        QVERIFY(s.state() == QAbstractSocket::UnconnectedState || s.waitForDisconnected(3000));
    }

    void keepAlive()
    {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(s.waitForConnected(2000));
        auto r = exchange(s, "GET /health/live HTTP/1.1\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->headers.value("connection"), QByteArray("keep-alive"));
        r = exchange(s, "GET /health/ready HTTP/1.1\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->json().contains(QStringLiteral("ready")));
    }

    void answersWhileMainThreadBlocked()
    {
        // The main loop (this thread) sleeps; a probe from another thread must still be answered.
        std::optional<Reply> reply;
        qint64 elapsed = -1;
        std::thread probe([&] {
            QElapsedTimer t;
            t.start();
            reply = request(m_port, "GET", "/health/live");
            elapsed = t.elapsed();
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        probe.join();
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY2(elapsed < 300, qPrintable(QString::number(elapsed)));
    }

    void portInUseAndRestart()
    {
        HealthServer other(m_state.get(), m_metrics.get(), QStringLiteral("0.1.0"));
        QString error;
        QCOMPARE(other.start(QHostAddress::LocalHost, m_port, &error), quint16(0));
        QVERIFY(!error.isEmpty());
        QVERIFY(!other.isRunning());
        m_server->stop();
        QVERIFY(!m_server->isRunning());
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(!s.waitForConnected(1000));
        m_port = m_server->start(QHostAddress::LocalHost, 0, &error);
        QVERIFY(m_port != 0);
        QCOMPARE(request(m_port, "GET", "/health")->status, 200);
    }
};

QTEST_GUILESS_MAIN(TestHealthServer)
#include "tst_healthserver.moc"
