// The wall clock jumping under a running station (API.md §2.6, §6.1, §6.2,
// §12.3, §14.2). The station runs under libfaketime (LD_PRELOAD, the
// faketime package) with FAKETIME_TIMESTAMP_FILE, which the test rewrites to
// move the wall clock back 1 h and forward by days while the station runs.
// CLOCK_MONOTONIC is left alone (FAKETIME_DONT_FAKE_MONOTONIC=1), as on a real
// system where NTP or an operator sets the clock: QTimer and QElapsedTimer
// keep running, QDateTime::currentDateTime jumps. MediaMTX (the stand-in) and
// its ffmpeg inherit the preload, like every process on a machine whose clock
// is set.
#include "FaultTools.h"
#include "HttpClient.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace station::test;

namespace {

const QString kLibFaketime = QStringLiteral("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1");

QJsonObject dev(const QString &device) { return {{QStringLiteral("device"), device}}; }

QString onDisk(const QString &root, const QString &filename)
{
    QDirIterator it(root, {filename}, QDir::Files, QDirIterator::Subdirectories);
    return it.hasNext() ? it.next() : QString();
}

QByteArray sha(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256) : QByteArray();
}

} // namespace

class TestFaultsClock : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_clockFile;
    qint64 m_offsetS = 0;  // the station's wall clock minus the real one
    std::unique_ptr<StationProcess> m_station;
    std::unique_ptr<WsClient> m_admin;
    QMap<QString, QByteArray> m_snapshots;  // filename → SHA-256, every snapshot taken so far
    QList<qint64> m_liveStatuses;

    void setClock(qint64 offsetS)
    {
        QFile f(m_clockFile);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write((offsetS >= 0 ? "+" : "") + QByteArray::number(offsetS) + "\n");
        f.close();
        m_offsetS = offsetS;
    }

    // The station's idea of now, read from its /health timestamp.
    QDateTime stationNow()
    {
        return QDateTime::fromString(httpGet(m_station->healthPort(), "/health").json().value(QLatin1String("timestamp")).toString(), Qt::ISODateWithMs);
    }

    bool live()
    {
        const int s = httpGet(m_station->healthPort(), "/health/live").status;
        m_liveStatuses << s;
        return s == 200;
    }

    QStringList takeSnapshots(int n)
    {
        QStringList names;
        for (int i = 0; i < n; ++i) {
            const QJsonObject r = m_admin->call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera0")), 20000);
            if (!rpcIsSuccess(r)) {
                qWarning("take_snapshot: %s", compact(r).constData());
                return {};
            }
            const QString name = rpcResult(r).value(QLatin1String("filename")).toString();
            if (m_snapshots.contains(name))
                qWarning("snapshot name reused: %s", qPrintable(name));
            names << name;
            m_snapshots.insert(name, sha(onDisk(m_station->snapshotsDir(), name)));
        }
        return names;
    }

    void checkAllSnapshotsIntact()
    {
        QSet<QString> onDiskNames;
        QDirIterator it(m_station->snapshotsDir(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            onDiskNames.insert(QFileInfo(it.next()).fileName());
        for (auto it2 = m_snapshots.cbegin(); it2 != m_snapshots.cend(); ++it2) {
            QVERIFY2(onDiskNames.contains(it2.key()), qPrintable(it2.key()));
            QCOMPARE(sha(onDisk(m_station->snapshotsDir(), it2.key())), it2.value());  // never overwritten
        }
        QCOMPARE(onDiskNames.size(), m_snapshots.size());
    }

    // A 5 s recording during which the clock moves by `jumpS`; returns the STOPPED event.
    QJsonObject timedRecordingAcrossJump(qint64 jumpS, qint64 *realMs)
    {
        WsClient c;
        if (!c.open(m_station->wsUrl()) || !c.authenticate(StationProcess::token(QStringLiteral("operator"), 3600 * 24 * 30)))
            return {};
        const QJsonObject started = c.call(QStringLiteral("start_recording"), {{QStringLiteral("device"), QStringLiteral("camera0")},
                                                                               {QStringLiteral("duration"), 5}}, 20000);
        QElapsedTimer t;
        t.start();
        if (!rpcIsSuccess(started)) {
            qWarning("start_recording: %s", compact(started).constData());
            return {};
        }
        QTest::qWait(1000);
        setClock(m_offsetS + jumpS);
        QJsonObject stopped;
        while (stopped.isEmpty() && t.elapsed() < 20000) {
            const QJsonObject n = c.waitNotification(QStringLiteral("recording_status_update"), 250);
            const QJsonObject p = n.value(QLatin1String("params")).toObject();
            if (!p.isEmpty() && p.value(QLatin1String("status")).toString() != QLatin1String("RECORDING"))
                stopped = p;
            live();
        }
        *realMs = t.elapsed();
        return stopped;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(kLibFaketime), "libfaketime is missing: apt-get install faketime");
        m_clockFile = m_tmp.filePath(QStringLiteral("faketime.rc"));
        setClock(0);
        m_station = std::make_unique<StationProcess>(QStringList{QStringLiteral("--set"), QStringLiteral("cameras.demo=1"),
                                                                 QStringLiteral("--set"), QStringLiteral("mediamtx.health_check_interval_s=1")});
        m_station->useMediaMtx();
        m_station->setEnv(QStringLiteral("LD_PRELOAD"), kLibFaketime);
        if (StationProcess::instrumented())  // libfaketime only wraps time calls; ASan may come second
            m_station->setEnv(QStringLiteral("ASAN_OPTIONS"), qEnvironmentVariable("ASAN_OPTIONS") + QStringLiteral(":verify_asan_link_order=0"));
        m_station->setEnv(QStringLiteral("FAKETIME_TIMESTAMP_FILE"), m_clockFile);
        m_station->setEnv(QStringLiteral("FAKETIME_NO_CACHE"), QStringLiteral("1"));
        m_station->setEnv(QStringLiteral("FAKETIME_DONT_FAKE_MONOTONIC"), QStringLiteral("1"));
        m_station->setEnv(QStringLiteral("FAKETIME_DONT_RESET"), QStringLiteral("1"));
        m_station->setEnv(QStringLiteral("TZ"), QStringLiteral("UTC"));
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
        QVERIFY(waitFor([&] { return httpGet(m_station->healthPort(), "/health/ready").status == 200; }, 15000));
        // libfaketime really is active in the station: move its clock and read it back.
        setClock(-3600);
        const qint64 skew = QDateTime::currentDateTimeUtc().secsTo(stationNow());
        qInfo("station clock with a -3600 s offset: %lld s from the real clock", skew);
        QVERIFY2(qAbs(skew + 3600) <= 5, QByteArray::number(skew));
        setClock(0);
        QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(stationNow())) <= 5);
        m_admin = std::make_unique<WsClient>();
        QVERIFY(m_admin->open(m_station->wsUrl()));
        QVERIFY(m_admin->authenticate(StationProcess::token(QStringLiteral("admin"), 3600 * 24 * 30)));
    }

    void cleanup()
    {
        if (QTest::currentTestFailed() && m_station)
            qWarning("station %s; log tail:\n%s", m_station->isRunning() ? "running" : "NOT running", qPrintable(m_station->log().right(6000)));
    }

    void snapshotsAcrossBackwardJump()
    {
        setClock(0);
        const QStringList before = takeSnapshots(3);
        QCOMPARE(before.size(), 3);
        setClock(-3600);
        QVERIFY(live());
        const QStringList after = takeSnapshots(3);
        QCOMPARE(after.size(), 3);
        // Back to real time, and back again by exactly the same hour: the same seconds repeat.
        setClock(0);
        const QStringList again = takeSnapshots(2);
        setClock(-3600);
        const QStringList repeat = takeSnapshots(2);
        qInfo("snapshot names: %s | -1 h: %s | +0: %s | -1 h: %s", qPrintable(before.join(QLatin1Char(' '))), qPrintable(after.join(QLatin1Char(' '))),
              qPrintable(again.join(QLatin1Char(' '))), qPrintable(repeat.join(QLatin1Char(' '))));
        QCOMPARE(m_snapshots.size(), 10);  // ten distinct names
        checkAllSnapshotsIntact();
        // The catalog lists them all.
        const QJsonArray listed = rpcResult(m_admin->call(QStringLiteral("list_snapshots"), {{QStringLiteral("limit"), 100}})).value(QLatin1String("files")).toArray();
        QCOMPARE(listed.size(), 10);
        QVERIFY(live());
    }

    void snapshotsWithFrozenClock()
    {
        // An absolute FAKETIME stops the wall clock: every capture sees the same microsecond.
        const QDateTime frozen = QDateTime::currentDateTimeUtc().addSecs(-7200);
        {
            QFile f(m_clockFile);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(frozen.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss")).toUtf8() + "\n");
        }
        auto restore = qScopeGuard([this] { setClock(0); });
        QTest::qWait(200);
        const QStringList names = takeSnapshots(4);
        QCOMPARE(names.size(), 4);
        qInfo("snapshots with a stopped clock: %s", qPrintable(names.join(QLatin1Char(' '))));
        QCOMPARE(QSet<QString>(names.cbegin(), names.cend()).size(), 4);
        checkAllSnapshotsIntact();
        QVERIFY(live());
    }

    void timedRecordingAcrossBackwardJump()
    {
        setClock(0);
        qint64 realMs = 0;
        const QJsonObject stopped = timedRecordingAcrossJump(-3600, &realMs);
        qInfo("5 s recording, clock moved back 1 h after 1 s: stopped after %lld ms (real time): %s", realMs, compact(stopped).constData());
        QVERIFY2(!stopped.isEmpty(), "no STOPPED event");
        QCOMPARE(stopped.value(QLatin1String("status")).toString(), QStringLiteral("STOPPED"));
        QCOMPARE(stopped.value(QLatin1String("reason")).toString(), QStringLiteral("duration_elapsed"));
        // The duration timer is a QTimer (CLOCK_MONOTONIC): 5 s of real time plus finalising (≤ 1.5 s).
        QVERIFY2(realMs >= 4000 && realMs <= 8000, QByteArray::number(realMs));
        // The reported duration is what was recorded, not the difference of two wall-clock readings.
        QVERIFY2(qAbs(stopped.value(QLatin1String("duration")).toInt(-100000) - 5) <= 1, compact(stopped));
        const QString file = onDisk(m_station->recordingsDir(), stopped.value(QLatin1String("files")).toArray().at(0).toString());
        const double d = probeDuration(file);
        qInfo("ffprobe duration: %.3f s", d);
        QVERIFY2(qAbs(d - 5.0) <= 1.0, QByteArray::number(d));
        QVERIFY(live());
    }

    void timedRecordingAcrossForwardJump()
    {
        setClock(0);
        qint64 realMs = 0;
        const QJsonObject stopped = timedRecordingAcrossJump(86400, &realMs);
        qInfo("5 s recording, clock moved forward 1 day after 1 s: stopped after %lld ms (real time): %s", realMs, compact(stopped).constData());
        QVERIFY2(!stopped.isEmpty(), "no STOPPED event");
        QCOMPARE(stopped.value(QLatin1String("reason")).toString(), QStringLiteral("duration_elapsed"));
        QVERIFY2(realMs >= 4000 && realMs <= 8000, QByteArray::number(realMs));
        QVERIFY2(qAbs(stopped.value(QLatin1String("duration")).toInt(-100000) - 5) <= 1, compact(stopped));
        setClock(0);
        QVERIFY(live());
    }

    void tokenExpiryUsesWallTime()
    {
        setClock(0);
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        // Valid for 36 h of wall time.
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"), 36 * 3600)));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_camera_list"))));
        setClock(86400);  // +1 day: still valid
        QVERIFY(live());
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_camera_list"))));
        setClock(2 * 86400);  // +2 days: expired
        const QJsonObject r = c.call(QStringLiteral("get_camera_list"));
        qInfo("after +2 days: %s", compact(r).constData());
        QCOMPARE(rpcCode(r), -32001);
        QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("token_expired"));
        QVERIFY(!rpcDataString(r, "expired_at").isEmpty());
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QVERIFY(c.isConnected());
        QVERIFY(live());
        // A token made for the station's (new) now is accepted.
        const qint64 now = QDateTime::currentSecsSinceEpoch() + 2 * 86400;
        const QByteArray fresh = StationProcess::signJwt({{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}},
                                                         {{QStringLiteral("user_id"), QStringLiteral("tester")}, {QStringLiteral("role"), QStringLiteral("viewer")},
                                                          {QStringLiteral("iat"), now}, {QStringLiteral("exp"), now + 3600}});
        QVERIFY(c.authenticate(fresh));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_camera_list"))));
        // Back to real time: that token's iat is 2 days in the future, beyond the 60 s leeway.
        setClock(0);
        WsClient d;
        QVERIFY(d.open(m_station->wsUrl()));
        QVERIFY(!d.authenticate(fresh));
        QCOMPARE(d.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
    }

    void livenessAcrossJumps()
    {
        // /health/live is driven by a monotonic heartbeat: it never reports a stall because the wall clock moved.
        for (const qint64 offset : {qint64(-3600), qint64(86400), qint64(-86400), qint64(2 * 86400), qint64(0)}) {
            setClock(offset);
            for (int i = 0; i < 5; ++i) {
                QVERIFY2(live(), qPrintable(QStringLiteral("offset %1: %2").arg(offset).arg(QString::fromUtf8(httpGet(m_station->healthPort(), "/health/live").body))));
                QTest::qWait(100);
            }
            QCOMPARE(m_admin->result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        }
        int non200 = 0;
        for (qint64 s : m_liveStatuses)
            non200 += s == 200 ? 0 : 1;
        qInfo("/health/live answered %lld times across the jumps, %d of them not 200", qint64(m_liveStatuses.size()), non200);
        QCOMPARE(non200, 0);
        QVERIFY(m_station->isRunning());
    }
};

QTEST_GUILESS_MAIN(TestFaultsClock)
#include "tst_faults_clock.moc"
