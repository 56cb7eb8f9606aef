#include "health/MetricsRegistry.h"

#include <QDateTime>
#include <QTest>

#include <thread>
#include <vector>

using station::health::MetricsRegistry;

class TestMetricsRegistry : public QObject
{
    Q_OBJECT

private slots:
    void countersAndGauges()
    {
        MetricsRegistry m;
        m.declare(QStringLiteral("camera_station_rpc_requests_total"), MetricsRegistry::Type::Counter, QStringLiteral("RPC requests."));
        m.declare(QStringLiteral("camera_station_cameras"), MetricsRegistry::Type::Gauge, QStringLiteral("Cameras by status."));
        const QString ok = MetricsRegistry::label(QStringLiteral("method"), QStringLiteral("ping")) + QLatin1Char(',')
                           + MetricsRegistry::label(QStringLiteral("code"), QStringLiteral("ok"));
        m.add(QStringLiteral("camera_station_rpc_requests_total"), ok);
        m.add(QStringLiteral("camera_station_rpc_requests_total"), ok, 2);
        QCOMPARE(m.value(QStringLiteral("camera_station_rpc_requests_total"), ok), 3.0);
        m.set(QStringLiteral("camera_station_cameras"), QStringLiteral("status=\"connected\""), 2);
        m.set(QStringLiteral("camera_station_cameras"), QStringLiteral("status=\"connected\""), 1);
        QCOMPARE(m.value(QStringLiteral("camera_station_cameras"), QStringLiteral("status=\"connected\"")), 1.0);

        const QByteArray text = m.render();
        QVERIFY(text.contains("# HELP camera_station_rpc_requests_total RPC requests.\n"
                              "# TYPE camera_station_rpc_requests_total counter\n"
                              "camera_station_rpc_requests_total{method=\"ping\",code=\"ok\"} 3\n"));
        QVERIFY(text.contains("# TYPE camera_station_cameras gauge\ncamera_station_cameras{status=\"connected\"} 1\n"));

        m.clearGauge(QStringLiteral("camera_station_cameras"));
        QVERIFY(!m.render().contains("camera_station_cameras{"));
        QVERIFY(m.render().contains("# TYPE camera_station_cameras gauge\n"));  // family stays declared
    }

    void histogram()
    {
        MetricsRegistry m;
        m.declare(QStringLiteral("camera_station_rpc_request_duration_seconds"), MetricsRegistry::Type::Histogram,
                  QStringLiteral("RPC duration."), {0.1, 0.5, 1});
        const QString ping = MetricsRegistry::label(QStringLiteral("method"), QStringLiteral("ping"));
        for (double v : {0.05, 0.1, 0.3, 2.0})
            m.observe(QStringLiteral("camera_station_rpc_request_duration_seconds"), ping, v);
        m.declare(QStringLiteral("camera_station_snapshot_duration_seconds"), MetricsRegistry::Type::Histogram,
                  QStringLiteral("Snapshot duration."), {1});
        m.observe(QStringLiteral("camera_station_snapshot_duration_seconds"), {}, 0.5);

        const QByteArray text = m.render();
        QVERIFY2(text.contains("# TYPE camera_station_rpc_request_duration_seconds histogram\n"
                               "camera_station_rpc_request_duration_seconds_bucket{method=\"ping\",le=\"0.1\"} 2\n"
                               "camera_station_rpc_request_duration_seconds_bucket{method=\"ping\",le=\"0.5\"} 3\n"
                               "camera_station_rpc_request_duration_seconds_bucket{method=\"ping\",le=\"1\"} 3\n"
                               "camera_station_rpc_request_duration_seconds_bucket{method=\"ping\",le=\"+Inf\"} 4\n"
                               "camera_station_rpc_request_duration_seconds_sum{method=\"ping\"} 2.45\n"
                               "camera_station_rpc_request_duration_seconds_count{method=\"ping\"} 4\n"),
                 text.constData());
        QVERIFY(text.contains("camera_station_snapshot_duration_seconds_bucket{le=\"1\"} 1\n"
                              "camera_station_snapshot_duration_seconds_bucket{le=\"+Inf\"} 1\n"
                              "camera_station_snapshot_duration_seconds_sum 0.5\n"
                              "camera_station_snapshot_duration_seconds_count 1\n"));
    }

    void labelEscaping()
    {
        QCOMPARE(MetricsRegistry::label(QStringLiteral("k"), QStringLiteral("a\"b\\c\nd")), QStringLiteral("k=\"a\\\"b\\\\c\\nd\""));
    }

    void processMetrics()
    {
        MetricsRegistry m;
        const QByteArray text = m.render();
        for (const char *name : {"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_threads",
                                 "process_start_time_seconds", "process_max_fds"}) {
            QVERIFY2(text.contains(QByteArray("# TYPE ") + name), name);
            const qsizetype at = text.indexOf(QByteArray("\n") + name + ' ');
            QVERIFY2(at >= 0, name);
            const QByteArray value = text.mid(at + 1).split('\n').first().split(' ').last();
            bool ok = false;
            const double v = value.toDouble(&ok);
            QVERIFY2(ok && v >= 0, name);
        }
        QVERIFY(text.contains("# TYPE process_cpu_seconds_total counter"));
        const qsizetype rss = text.indexOf("\nprocess_resident_memory_bytes ");
        QVERIFY(text.mid(rss + 31).split('\n').first().toDouble() > 1024 * 1024);
        // This test process started within the last hour, and not in the future.
        const qsizetype st = text.indexOf("\nprocess_start_time_seconds ");
        const double started = text.mid(st + 28).split('\n').first().toDouble();
        const double now = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
        QVERIFY2(started <= now + 1 && started > now - 3600, QByteArray::number(started, 'f', 2) + " vs now " + QByteArray::number(now, 'f', 2));
    }

    void concurrentUpdates()
    {
        MetricsRegistry m;
        m.declare(QStringLiteral("c_total"), MetricsRegistry::Type::Counter, QStringLiteral("c"));
        m.declare(QStringLiteral("h_seconds"), MetricsRegistry::Type::Histogram, QStringLiteral("h"), {1});
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&m] {
                for (int i = 0; i < 5000; ++i) {
                    m.add(QStringLiteral("c_total"));
                    m.observe(QStringLiteral("h_seconds"), {}, 0.5);
                    if (i % 500 == 0)
                        m.render();
                }
            });
        }
        for (auto &t : threads)
            t.join();
        QCOMPARE(m.value(QStringLiteral("c_total")), 20000.0);
        QVERIFY(m.render().contains("h_seconds_count 20000\n"));
    }
};

QTEST_GUILESS_MAIN(TestMetricsRegistry)
#include "tst_metricsregistry.moc"
