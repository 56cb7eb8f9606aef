// Disk faults against the real binary (API.md §6.1, §9.5, §12.3, §12.4, §14.4):
// the data folder lives on a small tmpfs that the test fills up while the
// station records, and then fills completely (ENOSPC) before a snapshot.
// Needs root (mount); CI runs as root.
#include "FaultTools.h"
#include "HttpClient.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>

using namespace station::test;

namespace {

QJsonObject dev(const QString &device) { return {{QStringLiteral("device"), device}}; }

QJsonObject component(const QJsonObject &detailed, const QString &name)
{
    for (const QJsonValue &v : detailed.value(QLatin1String("components")).toArray()) {
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    }
    return {};
}

QString onDisk(const QString &root, const QString &filename)
{
    QDirIterator it(root, {filename}, QDir::Files, QDirIterator::Subdirectories);
    return it.hasNext() ? it.next() : QString();
}

QSet<QString> filesUnder(const QString &root)
{
    QSet<QString> out;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.insert(it.next());
    return out;
}

QStringList sets(std::initializer_list<const char *> kv)
{
    QStringList out;
    for (const char *s : kv)
        out << QStringLiteral("--set") << QString::fromLatin1(s);
    return out;
}

} // namespace

class TestFaultsDisk : public QObject
{
    Q_OBJECT
    QTemporaryDir m_logs;  // the stand-in's request log lives off the tmpfs, so filling it cannot break the stand-in

    void prepare(StationProcess &station)
    {
        station.useMediaMtx();
        station.setEnv(QStringLiteral("STANDIN_REQUEST_LOG"), m_logs.filePath(QStringLiteral("requests-%1.jsonl").arg(QDateTime::currentMSecsSinceEpoch())));
    }

private Q_SLOTS:
    void recordingStopsWhenDiskFills()
    {
        TmpfsMount disk(24);
        QVERIFY2(disk.isMounted(), qPrintable(disk.error()));
        StationProcess station(sets({"cameras.demo=1", "storage.block_threshold_percent=90", "storage.warn_threshold_percent=60",
                                     "mediamtx.health_check_interval_s=1"}),
                               disk.path());
        prepare(station);
        auto dumpLog = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("usage %.1f %%; station log tail:\n%s", disk.usagePercent(), qPrintable(station.log().right(6000)));
        });
        QVERIFY2(station.start(), qPrintable(station.log()));
        QVERIFY(waitFor([&] { return httpGet(station.healthPort(), "/health/ready").status == 200; }, 15000));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const QJsonObject sub = c.call(QStringLiteral("subscribe_events"), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("recording.error")}}});
        QVERIFY2(rpcIsSuccess(sub), compact(sub));
        const double usage0 = disk.usagePercent();
        QVERIFY2(usage0 < 60, QByteArray::number(usage0));
        QCOMPARE(component(httpGet(station.healthPort(), "/health/detailed").json(), QStringLiteral("storage")).value(QLatin1String("status")).toString(),
                 QStringLiteral("healthy"));

        // A recording runs on the tmpfs.
        const QJsonObject started = c.call(QStringLiteral("start_recording"), dev(QStringLiteral("camera0")), 20000);
        QVERIFY2(rpcIsSuccess(started), compact(started));
        const QString first = rpcResult(started).value(QLatin1String("filename")).toString();
        QVERIFY(!onDisk(station.recordingsDir(), first).isEmpty());
        QTest::qWait(2500);

        // Fill past the block threshold (90 %) from outside the station, to about 94 %.
        const qint64 total = disk.totalBytes();
        const qint64 used = total - disk.freeBytes();
        const qint64 want = qint64(double(total) * 0.94) - used;
        int err = 0;
        QElapsedTimer filled;
        const qint64 wrote = writeFiller(disk.path() + QStringLiteral("/filler.bin"), want, &err);
        filled.start();
        QCOMPARE(wrote, want);
        QVERIFY2(disk.usagePercent() >= 90, QByteArray::number(disk.usagePercent()));
        qInfo("tmpfs %lld bytes: %.1f %% used before the filler, %.1f %% after it", total, usage0, disk.usagePercent());

        // The session ends with ERROR / storage_full (§12.3) and recording.error (§12.4).
        QJsonObject ended;
        QVERIFY(waitFor([&] {
            const QJsonObject n = c.waitNotification(QStringLiteral("recording_status_update"), 200);
            const QJsonObject p = n.value(QLatin1String("params")).toObject();
            if (p.value(QLatin1String("device")).toString() == QLatin1String("camera0") && p.value(QLatin1String("status")).toString() != QLatin1String("RECORDING"))
                ended = p;
            return !ended.isEmpty();
        }, 15000));
        qInfo("recording ended %lld ms after the disk passed the block threshold: %s", filled.elapsed(), compact(ended).constData());
        QCOMPARE(ended.value(QLatin1String("status")).toString(), QStringLiteral("ERROR"));
        QCOMPARE(ended.value(QLatin1String("reason")).toString(), QStringLiteral("storage_full"));
        QCOMPARE(ended.value(QLatin1String("session_id")), rpcResult(started).value(QLatin1String("session_id")));
        QCOMPARE(ended.value(QLatin1String("filename")).toString(), first);
        QVERIFY2(!ended.value(QLatin1String("end_time")).toString().isEmpty(), compact(ended));
        const QJsonObject errorEvent = c.waitNotification(QStringLiteral("recording.error"), 5000).value(QLatin1String("params")).toObject();
        QCOMPARE(errorEvent.value(QLatin1String("reason")).toString(), QStringLiteral("storage_full"));
        QCOMPARE(errorEvent.value(QLatin1String("device")).toString(), QStringLiteral("camera0"));
        QCOMPARE(errorEvent.value(QLatin1String("session_id")), ended.value(QLatin1String("session_id")));

        // Every file of the session is kept, complete on disk and playable.
        const QJsonArray files = ended.value(QLatin1String("files")).toArray();
        QVERIFY2(!files.isEmpty() && files.at(0).toString() == first, compact(ended));
        qint64 sum = 0;
        for (const QJsonValue &f : files) {
            const QString path = onDisk(station.recordingsDir(), f.toString());
            QVERIFY2(!path.isEmpty(), qPrintable(f.toString()));
            sum += QFileInfo(path).size();
            const double d = probeDuration(path);
            qInfo("%s: %lld bytes, ffprobe duration %.3f s", qPrintable(f.toString()), QFileInfo(path).size(), d);
            QVERIFY2(d > 0, qPrintable(f.toString()));
        }
        QCOMPARE(ended.value(QLatin1String("file_size")).toInteger(), sum);
        // No file of the camera is still growing (the recording really stopped).
        QTest::qWait(1500);
        qint64 later = 0;
        for (const QJsonValue &f : files)
            later += QFileInfo(onDisk(station.recordingsDir(), f.toString())).size();
        QCOMPARE(later, sum);
        QCOMPARE(rpcDataString(c.call(QStringLiteral("stop_recording"), dev(QStringLiteral("camera0"))), "state"), QStringLiteral("IDLE"));

        // Storage reports the condition everywhere.
        const QJsonObject info = rpcResult(c.call(QStringLiteral("get_storage_info")));
        QCOMPARE(info.value(QLatin1String("low_space_warning")).toBool(), true);
        QVERIFY2(info.value(QLatin1String("usage_percentage")).toDouble() >= 90, compact(info));
        QCOMPARE(info.value(QLatin1String("block_threshold_percent")).toInt(), 90);
        const QSet<QString> snapsBefore = filesUnder(station.snapshotsDir());
        for (const QString &method : {QStringLiteral("take_snapshot"), QStringLiteral("start_recording")}) {
            const QJsonObject r = c.call(method, dev(QStringLiteral("camera0")), 15000);
            QVERIFY2(rpcCode(r) == -32050 && rpcDataString(r, "dependency") == QLatin1String("storage"), qPrintable(method + QLatin1Char(' ') + QString::fromUtf8(compact(r))));
        }
        QCOMPARE(filesUnder(station.snapshotsDir()), snapsBefore);
        QJsonObject storage;
        QVERIFY(waitFor([&] {
            storage = component(httpGet(station.healthPort(), "/health/detailed").json(), QStringLiteral("storage"));
            return storage.value(QLatin1String("status")).toString() == QLatin1String("unhealthy");
        }, 15000));
        QVERIFY2(storage.value(QLatin1String("details")).toObject().value(QLatin1String("usage_percent")).toDouble() >= 90, compact(storage));
        QCOMPARE(httpGet(station.healthPort(), "/health/detailed").status, 503);
        QCOMPARE(httpGet(station.healthPort(), "/health/live").status, 200);

        // The service keeps answering.
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        const QJsonObject list = c.call(QStringLiteral("list_recordings"));
        QVERIFY2(rpcIsSuccess(list), compact(list));
        QStringList listed;
        for (const QJsonValue &v : rpcResult(list).value(QLatin1String("files")).toArray())
            listed << v.toObject().value(QLatin1String("filename")).toString();
        for (const QJsonValue &f : files)
            QVERIFY2(listed.contains(f.toString()), compact(list));
        WsClient fresh;  // and new clients get in
        QVERIFY(fresh.open(station.wsUrl()));
        QCOMPARE(fresh.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));

        // Space freed: captures work again without a restart.
        QVERIFY(QFile::remove(disk.path() + QStringLiteral("/filler.bin")));
        const QJsonObject snap = c.call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera0")), 20000);
        QVERIFY2(rpcIsSuccess(snap), compact(snap));
        QVERIFY(waitFor([&] {
            return component(httpGet(station.healthPort(), "/health/detailed").json(), QStringLiteral("storage")).value(QLatin1String("status")).toString()
                == QLatin1String("healthy");
        }, 15000));
        station.stop();
        QCOMPARE(station.exitStatus(), QProcess::NormalExit);
        QCOMPARE(station.exitCode(), 0);
    }

    void snapshotOnEnospc()
    {
        TmpfsMount disk(24);
        QVERIFY2(disk.isMounted(), qPrintable(disk.error()));
        StationProcess station(sets({"cameras.demo=1", "storage.block_threshold_percent=100", "storage.warn_threshold_percent=60"}), disk.path());
        prepare(station);
        auto dumpLog = qScopeGuard([&] {
            if (QTest::currentTestFailed())
                qWarning("usage %.3f %%; station log tail:\n%s", disk.usagePercent(), qPrintable(station.log().right(6000)));
        });
        QVERIFY2(station.start(), qPrintable(station.log()));
        QVERIFY(waitFor([&] { return httpGet(station.healthPort(), "/health/ready").status == 200; }, 15000));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));

        // A first snapshot works and warms the camera's reader, so a later failure can only be the disk.
        const QJsonObject warm = c.call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera0")), 20000);
        QVERIFY2(rpcIsSuccess(warm), compact(warm));
        const qint64 jpegSize = rpcResult(warm).value(QLatin1String("file_size")).toInteger();
        QVERIFY2(jpegSize > 16 * 1024, QByteArray::number(jpegSize));  // larger than the room left below
        const QSet<QString> snaps = filesUnder(station.snapshotsDir());
        QCOMPARE(snaps.size(), 1);

        // Completely full: write until ENOSPC.
        const QString filler = disk.path() + QStringLiteral("/filler.bin");
        int err = 0;
        const qint64 wrote = fillUntilEnospc(filler, &err);
        QCOMPARE(err, ENOSPC);
        qInfo("filled the tmpfs with %lld bytes until ENOSPC: %.3f %% used, %lld bytes free", wrote, disk.usagePercent(), disk.freeBytes());
        QJsonObject r = c.call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera0")), 20000);
        QVERIFY2(rpcCode(r) == -32050 && rpcDataString(r, "dependency") == QLatin1String("storage"), compact(r));
        qInfo("take_snapshot on a full disk: %s", compact(r).constData());
        QCOMPARE(filesUnder(station.snapshotsDir()), snaps);

        // Nearly full, below the 100 % threshold: the write itself runs out of space.
        QVERIFY(QFile::resize(filler, QFileInfo(filler).size() - 8192));
        QVERIFY2(disk.usagePercent() < 100, QByteArray::number(disk.usagePercent()));
        QVERIFY(disk.freeBytes() < jpegSize);
        r = c.call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera0")), 20000);
        qInfo("take_snapshot with %lld bytes free (%.3f %% used): %s", disk.freeBytes(), disk.usagePercent(), compact(r).constData());
        QVERIFY2(rpcCode(r) == -32050 && rpcDataString(r, "dependency") == QLatin1String("storage"), compact(r));
        // The threshold did not refuse it ("storage is full"): the write itself failed, with ENOSPC.
        QVERIFY2(rpcDataString(r, "detail").contains(QLatin1String("No space left")), compact(r));
        QVERIFY2(!rpcDataString(r, "detail").contains(disk.path()), compact(r));  // no paths on the wire (§2.5)
        QCOMPARE(filesUnder(station.snapshotsDir()), snaps);  // no partial JPEG left behind
        const QJsonObject named = c.call(QStringLiteral("take_snapshot"), {{QStringLiteral("device"), QStringLiteral("camera0")},
                                                                           {QStringLiteral("filename"), QStringLiteral("full.jpg")}}, 20000);
        QVERIFY2(rpcCode(named) == -32050, compact(named));
        QVERIFY(!QFile::exists(station.snapshotsDir() + QStringLiteral("/full.jpg")));
        QCOMPARE(filesUnder(station.snapshotsDir()), snaps);

        // Still running and answering.
        QVERIFY(station.isRunning());
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("list_snapshots"))));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_storage_info"))));
        QCOMPARE(httpGet(station.healthPort(), "/health/live").status, 200);

        // Room again: the next snapshot works and the set grows by exactly one.
        QVERIFY(QFile::remove(filler));
        const QJsonObject again = c.call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera0")), 20000);
        QVERIFY2(rpcIsSuccess(again), compact(again));
        QCOMPARE(filesUnder(station.snapshotsDir()).size(), 2);
        station.stop();
        QCOMPARE(station.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestFaultsDisk)
#include "tst_faults_disk.moc"
