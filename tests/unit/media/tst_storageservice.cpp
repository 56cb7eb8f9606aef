#include "config/Config.h"
#include "media/FileCatalog.h"
#include "media/MediaProbe.h"
#include "media/StorageService.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace station;
using station::media::FileCatalog;
using station::media::FileKind;
using station::media::RetentionPolicy;
using station::media::StorageService;

namespace {

// A data folder with its config, catalogs and service.
struct Fixture {
    QTemporaryDir dir;
    config::Config config;
    std::unique_ptr<FileCatalog> recordings, snapshots;
    std::unique_ptr<StorageService> service;

    explicit Fixture(const QStringList &sets = {})
    {
        config::ConfigSources src;
        src.dataDir = dir.path();
        src.sets = sets;
        src.environment = QProcessEnvironment();
        const auto loaded = config::Config::load(src);
        if (!loaded.ok())
            qFatal("config: %s", qPrintable(loaded.errors.join(QStringLiteral("; "))));
        config = loaded.config;
        recordings = std::make_unique<FileCatalog>(FileKind::Recording, config.recordingsDir());
        snapshots = std::make_unique<FileCatalog>(FileKind::Snapshot, config.snapshotsDir());
        service = std::make_unique<StorageService>(config, recordings.get(), snapshots.get());
        QString error;
        if (!service->ensureFolders(&error))
            qFatal("%s", qPrintable(error));
        recordings->start();
        snapshots->start();
    }

    QString rec(const QString &rel, qint64 bytes, qint64 mtimeSecs = 0) { return put(config.recordingsDir(), rel, bytes, mtimeSecs); }
    QString snap(const QString &rel, qint64 bytes, qint64 mtimeSecs = 0) { return put(config.snapshotsDir(), rel, bytes, mtimeSecs); }

    static QString put(const QString &root, const QString &rel, qint64 bytes, qint64 mtimeSecs)
    {
        const QString path = root + QLatin1Char('/') + rel;
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(QByteArray(bytes, 'x'));
        f.flush();  // the write must not land after the mtime is set
        if (mtimeSecs > 0)
            f.setFileTime(QDateTime::fromSecsSinceEpoch(mtimeSecs, Qt::UTC), QFileDevice::FileModificationTime);
        f.close();
        return path;
    }
};

QString nameAt(const QString &device, const QDateTime &t, const QString &ext)
{
    return media::captureName(device, t, ext);
}

RetentionPolicy policy(const QString &type, std::optional<qint64> days = {}, std::optional<double> gb = {}, bool enabled = false)
{
    RetentionPolicy p;
    p.type = type;
    p.enabled = enabled;
    p.maxAgeDays = days;
    p.maxSizeGb = gb;
    return p;
}

} // namespace

class TestStorageService : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaultsComeFromConfig()
    {
        Fixture fx({QStringLiteral("retention.policy_type=age"), QStringLiteral("retention.max_age_days=7")});
        fx.service->start();
        const RetentionPolicy p = fx.service->policy();
        QCOMPARE(p.type, QStringLiteral("age"));
        QCOMPARE(p.maxAgeDays, std::optional<qint64>(7));
        QVERIFY(!p.maxSizeGb);  // not the type's limit: null
        QVERIFY(!p.enabled);
    }

    void agePolicyDeletesOnlyOldFiles()
    {
        Fixture fx;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const qint64 old = now.addDays(-40).toSecsSinceEpoch();
        const QString oldRec = fx.rec(nameAt(QStringLiteral("camera0"), now.addDays(-31), QStringLiteral("mp4")), 100);
        const QString oldRecFolder = fx.rec(QStringLiteral("camera1/") + nameAt(QStringLiteral("camera1"), now.addDays(-90), QStringLiteral("mp4")), 200);
        const QString newRec = fx.rec(nameAt(QStringLiteral("camera0"), now.addDays(-29), QStringLiteral("mp4")), 300);
        const QString oldByMtime = fx.snap(QStringLiteral("front_door.jpg"), 40, old);
        const QString newByMtime = fx.snap(QStringLiteral("back_door.jpg"), 50);
        // The name wins over the mtime: a recent file with an old capture name is old.
        const QString oldByName = fx.snap(nameAt(QStringLiteral("camera0"), now.addDays(-60), QStringLiteral("jpg")), 60);
        const QString newByNameOldMtime = fx.snap(nameAt(QStringLiteral("camera0"), now.addDays(-1), QStringLiteral("jpg")), 70, old);

        QString error;
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("age"), 30), &error));
        const auto r = fx.service->cleanup();
        QVERIFY(r.executed);
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.filesDeleted, 4);
        QCOMPARE(r.recordingsDeleted, 2);
        QCOMPARE(r.snapshotsDeleted, 2);
        QCOMPARE(r.spaceFreed, 100 + 200 + 40 + 60);
        QCOMPARE(r.message, QStringLiteral("Deleted 4 files"));
        for (const QString &gone : {oldRec, oldRecFolder, oldByMtime, oldByName})
            QVERIFY2(!QFile::exists(gone), qPrintable(gone));
        for (const QString &kept : {newRec, newByMtime, newByNameOldMtime})
            QVERIFY2(QFile::exists(kept), qPrintable(kept));
        QCOMPARE(fx.recordings->count(), 1);
        QCOMPARE(fx.snapshots->count(), 2);
    }

    void sizePolicyDeletesOldestUntilUnderLimit()
    {
        Fixture fx;
        const QDateTime t0(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
        QStringList paths;  // oldest first, alternating kinds; 500 bytes each = 3000
        for (int i = 0; i < 6; ++i) {
            const QDateTime t = t0.addSecs(i * 60);
            paths << (i % 2 ? fx.snap(nameAt(QStringLiteral("camera0"), t, QStringLiteral("jpg")), 500)
                            : fx.rec(nameAt(QStringLiteral("camera0"), t, QStringLiteral("mp4")), 500));
        }
        QString error;
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("size"), {}, 0.000002), &error));  // 2000 bytes
        QVERIFY(!fx.service->policy().maxAgeDays);
        auto r = fx.service->cleanup();
        QVERIFY(r.executed);
        QCOMPARE(r.filesDeleted, 2);
        QCOMPARE(r.recordingsDeleted, 1);
        QCOMPARE(r.snapshotsDeleted, 1);
        QCOMPARE(r.spaceFreed, 1000);
        QVERIFY(!QFile::exists(paths[0]));
        QVERIFY(!QFile::exists(paths[1]));
        for (int i = 2; i < 6; ++i)
            QVERIFY(QFile::exists(paths[i]));
        QCOMPARE(fx.recordings->totalBytes() + fx.snapshots->totalBytes(), 2000);
        // Already under the limit: nothing more.
        r = fx.service->cleanup();
        QVERIFY(r.executed);
        QCOMPARE(r.filesDeleted, 0);
        QCOMPARE(r.spaceFreed, 0);
        // Fractional limit below one file: 0.0000015 GB = 1500 bytes → one more goes.
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("size"), {}, 0.0000015), &error));
        QCOMPARE(fx.service->cleanup().filesDeleted, 1);
        QVERIFY(!QFile::exists(paths[2]));
    }

    void manualExecutesNothing()
    {
        Fixture fx;
        const QString f = fx.rec(nameAt(QStringLiteral("camera0"), QDateTime(QDate(2001, 1, 1), QTime(0, 0), Qt::UTC), QStringLiteral("mp4")), 10);
        QString error;
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("manual"), 1, 0.000000001), &error));
        QVERIFY(!fx.service->policy().maxAgeDays && !fx.service->policy().maxSizeGb);
        const auto r = fx.service->cleanup();
        QVERIFY(!r.executed);
        QCOMPARE(r.filesDeleted, 0);
        QVERIFY(QFile::exists(f));
    }

    void protectedFilesSurvive()
    {
        Fixture fx;
        const QDateTime old(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
        const QString live = fx.rec(nameAt(QStringLiteral("camera0"), old, QStringLiteral("mp4")), 1000);
        const QString next = fx.rec(nameAt(QStringLiteral("camera1"), old.addSecs(1), QStringLiteral("mp4")), 1000);
        const QString newest = fx.snap(nameAt(QStringLiteral("camera1"), old.addSecs(2), QStringLiteral("jpg")), 1000);
        const QString liveName = QFileInfo(live).fileName();
        fx.recordings->setProtectedPredicate([liveName](const media::FileEntry &e) { return e.filename == liveName; });
        QString error;
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("size"), {}, 0.0000025), &error));  // 2500 of 3000 bytes
        auto r = fx.service->cleanup();
        QCOMPARE(r.filesDeleted, 1);  // the oldest is being written: the next oldest goes
        QVERIFY(QFile::exists(live));
        QVERIFY(!QFile::exists(next));
        QVERIFY(QFile::exists(newest));
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("age"), 1), &error));
        r = fx.service->cleanup();
        QCOMPARE(r.filesDeleted, 1);
        QVERIFY(QFile::exists(live));
        QVERIFY(!QFile::exists(newest));
    }

    void policyPersists()
    {
        Fixture fx;
        QString error;
        QSignalSpy changed(fx.service.get(), &StorageService::policyChanged);
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("size"), 12, 0.5), &error));
        QCOMPARE(changed.count(), 1);
        QVERIFY(QFile::exists(fx.config.stateDir() + QStringLiteral("/retention.json")));
        StorageService again(fx.config, fx.recordings.get(), fx.snapshots.get());
        QCOMPARE(again.policy().type, QStringLiteral("manual"));  // config default until start()
        again.start();
        QCOMPARE(again.policy().type, QStringLiteral("size"));
        QCOMPARE(again.policy().maxSizeGb, std::optional<double>(0.5));
        QVERIFY(!again.policy().maxAgeDays);
        QVERIFY(!again.policy().enabled);

        // Shape errors are refused and change nothing.
        QVERIFY(!fx.service->setPolicy(policy(QStringLiteral("age")), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!fx.service->setPolicy(policy(QStringLiteral("weekly"), 3), &error));
        QCOMPARE(fx.service->policy().type, QStringLiteral("size"));

        // A damaged file falls back to the config defaults.
        QFile f(fx.config.stateDir() + QStringLiteral("/retention.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{not json");
        f.close();
        StorageService third(fx.config, fx.recordings.get(), fx.snapshots.get());
        third.start();
        QCOMPARE(third.policy().type, QStringLiteral("manual"));
    }

    void enabledPolicyRunsByItself()
    {
        Fixture fx({QStringLiteral("storage.cleanup_interval_s=10")});
        const QString f = fx.snap(nameAt(QStringLiteral("camera0"), QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC), QStringLiteral("jpg")), 10);
        fx.service->start();
        QSignalSpy done(fx.service.get(), &StorageService::cleanupFinished);
        QString error;
        QVERIFY(fx.service->setPolicy(policy(QStringLiteral("age"), 30, {}, true), &error));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        QVERIFY(!QFile::exists(f));
        const auto r = done.first().first().value<media::CleanupResult>();
        QCOMPARE(r.snapshotsDeleted, 1);
    }

    void infoNumbersAreSane()
    {
        Fixture fx({QStringLiteral("storage.warn_threshold_percent=1"), QStringLiteral("storage.block_threshold_percent=100")});
        fx.rec(QStringLiteral("a.mp4"), 1234);
        fx.rec(QStringLiteral("camera0/b.mp4"), 766);
        fx.snap(QStringLiteral("c.jpg"), 10);
        const auto s = fx.service->info();
        QVERIFY(s.totalSpace > 0);
        QVERIFY(s.usedSpace > 0 && s.usedSpace <= s.totalSpace);
        QVERIFY(s.availableSpace >= 0 && s.availableSpace <= s.totalSpace);
        QVERIFY(s.usagePercent > 0 && s.usagePercent <= 100);
        QCOMPARE(s.usagePercent, double(s.usedSpace) * 100.0 / double(s.totalSpace));
        QCOMPARE(s.recordingsSize, 2000);
        QCOMPARE(s.recordingsCount, 2);
        QCOMPARE(s.snapshotsSize, 10);
        QCOMPARE(s.snapshotsCount, 1);
        QCOMPARE(s.warnThresholdPercent, 1);
        QCOMPARE(s.blockThresholdPercent, 100);
        QCOMPARE(s.lowSpaceWarning, s.usagePercent >= 1);
        QCOMPARE(s.blocked, s.usagePercent >= 100);
        QVERIFY(s.writable);
        QVERIFY(s.readable);

        QVERIFY(QDir(fx.config.snapshotsDir()).removeRecursively());
        const auto broken = fx.service->info();
        QVERIFY(!broken.writable);
        QVERIFY(!broken.readable);
        QCOMPARE(broken.snapshotsCount, 0);
    }
};

QTEST_GUILESS_MAIN(TestStorageService)
#include "tst_storageservice.moc"
