// The UI's models under QAbstractItemModelTester (rows follow the registry
// and the catalogs live), the library filters, and the admin PIN gate.

#include "auth/ApiKeyStore.h"
#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "controllers/AdminGate.h"
#include "controllers/LibraryController.h"
#include "media/FileCatalog.h"
#include "models/ApiKeyListModel.h"
#include "models/CameraListModel.h"
#include "models/MediaListModel.h"
#include "models/ThumbnailCache.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace station;

namespace {

config::Config testConfig(const QString &dataDir, const QString &devDir)
{
    config::ConfigSources src;
    src.dataDir = dataDir;
    src.environment = QProcessEnvironment();
    src.sets = {QStringLiteral("cameras.demo=2"), QStringLiteral("cameras.device_dir=") + devDir};
    const auto loaded = config::Config::load(src);
    if (!loaded.ok())
        qFatal("config: %s", qPrintable(loaded.errors.join(QStringLiteral("; "))));
    return loaded.config;
}

void writeJpeg(const QString &path, QColor colour)
{
    QImage img(640, 360, QImage::Format_RGB32);
    img.fill(colour);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QVERIFY(img.save(path, "JPEG"));
}

} // namespace

class TstUiModels : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cameraModelFollowsTheRegistry()
    {
        QTemporaryDir data, dev;
        const config::Config cfg = testConfig(data.path(), dev.path());
        cameras::CameraRegistry registry(cfg);
        core::Services s;
        s.cameras = &registry;
        app::CameraListModel model(s);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy scanned(&registry, &cameras::CameraRegistry::initialScanFinished);
        registry.start();
        QVERIFY(registry.initialScanComplete() || scanned.wait(5000));
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0), app::CameraListModel::IdRole).toString(), QStringLiteral("camera0"));
        QCOMPARE(model.data(model.index(0), app::CameraListModel::StatusRole).toString(), QStringLiteral("live"));

        // Hot-plug: a network camera appears, is renamed, and leaves.
        QString error;
        const auto added = registry.addNetworkCamera(QStringLiteral("rtsp://10.0.0.9:554/s"), QStringLiteral("Gate"), QStringLiteral("generic_rtsp"), &error);
        QVERIFY2(added, qPrintable(error));
        QCOMPARE(model.rowCount(), 3);
        const int row = model.indexOf(added->id);
        QVERIFY(row >= 0);
        QVERIFY(model.data(model.index(row), app::CameraListModel::IsNetworkRole).toBool());
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        registry.addNetworkCamera(QStringLiteral("rtsp://10.0.0.9:554/s"), QStringLiteral("Back gate"));
        QVERIFY(!changed.isEmpty());
        QCOMPARE(model.data(model.index(row), app::CameraListModel::NameRole).toString(), QStringLiteral("Back gate"));
        QVERIFY(registry.removeNetworkCamera(QStringLiteral("rtsp://10.0.0.9:554/s")));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.indexOf(added->id), -1);
        QCOMPARE(model.get(1).value(QStringLiteral("cameraId")).toString(), QStringLiteral("camera1"));
    }

    void mediaModelFiltersAndFollowsTheCatalog()
    {
        QTemporaryDir data;
        const QString snaps = data.filePath(QStringLiteral("snapshots"));
        QDir().mkpath(snaps);
        writeJpeg(snaps + QStringLiteral("/camera0_2024-01-01_12-00-00-000000.jpg"), Qt::red);
        writeJpeg(snaps + QStringLiteral("/camera1_2024-01-02_12-00-00-000000.jpg"), Qt::green);
        media::FileCatalog recordings(media::FileKind::Recording, data.filePath(QStringLiteral("recordings")));
        media::FileCatalog snapshots(media::FileKind::Snapshot, snaps);
        recordings.start();
        snapshots.start();
        recordings.waitReady();
        snapshots.waitReady();
        core::Services s;
        s.recordings = &recordings;
        s.snapshots = &snapshots;
        app::ThumbnailCache thumbs(data.filePath(QStringLiteral("state/thumbnails")));
        app::MediaListModel model(s, &thumbs);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);  // recordings first: none
        model.setKind(QStringLiteral("snapshots"));
        QCOMPARE(model.rowCount(), 2);
        // Newest first.
        QCOMPARE(model.data(model.index(0), app::MediaListModel::DeviceRole).toString(), QStringLiteral("camera1"));
        model.setCameraFilter(QStringLiteral("camera0"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.totalCount(), 2);
        model.setCameraFilter(QString());
        model.setDateFilter(QStringLiteral("2024-01-01"));
        QCOMPARE(model.rowCount(), 1);
        model.setDateFilter(QStringLiteral("today"));
        QCOMPARE(model.rowCount(), 0);
        model.setDateFilter(QStringLiteral("nonsense"));
        QCOMPARE(model.dateFilter(), QStringLiteral("all"));
        QCOMPARE(model.rowCount(), 2);

        // Thumbnails are made once, off the UI thread, and announced.
        QSignalSpy ready(&thumbs, &app::ThumbnailCache::ready);
        QVERIFY(model.data(model.index(0), app::MediaListModel::ThumbnailRole).toString().isEmpty());
        QTRY_VERIFY(ready.count() >= 1);
        QTRY_VERIFY(!model.data(model.index(0), app::MediaListModel::ThumbnailRole).toString().isEmpty());
        const QImage thumb(QUrl(model.data(model.index(0), app::MediaListModel::ThumbnailRole).toString()).toLocalFile());
        QCOMPARE(thumb.width(), app::ThumbnailCache::kWidth);

        // A new file is inserted, a deleted one removed: no reset.
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        writeJpeg(snaps + QStringLiteral("/camera0_2024-01-03_12-00-00-000000.jpg"), Qt::blue);
        snapshots.rescanNow();
        QTRY_COMPARE(model.rowCount(), 3);
        QString error;
        QVERIFY(snapshots.remove(QStringLiteral("camera1_2024-01-02_12-00-00-000000.jpg"), &error));
        snapshots.rescanNow();
        QTRY_COMPARE(model.rowCount(), 2);
        QCOMPARE(resets.count(), 0);
    }

    void dateFilterRules()
    {
        const QDate today(2024, 5, 10);
        const QDateTime noon = QDateTime(today, QTime(12, 0)).toUTC();
        QVERIFY(app::MediaListModel::matchesDate(noon, QStringLiteral("today"), today));
        QVERIFY(!app::MediaListModel::matchesDate(noon, QStringLiteral("yesterday"), today));
        QVERIFY(app::MediaListModel::matchesDate(noon.addDays(-1), QStringLiteral("yesterday"), today));
        QVERIFY(app::MediaListModel::matchesDate(noon.addDays(-6), QStringLiteral("7d"), today));
        QVERIFY(!app::MediaListModel::matchesDate(noon.addDays(-7), QStringLiteral("7d"), today));
        QVERIFY(app::MediaListModel::matchesDate(noon.addDays(-29), QStringLiteral("30d"), today));
        QVERIFY(app::MediaListModel::matchesDate(noon.addYears(-3), QStringLiteral("all"), today));
        QCOMPARE(app::MediaListModel::durationText(65), QStringLiteral("1:05"));
        QCOMPARE(app::MediaListModel::durationText(3725), QStringLiteral("1:02:05"));
    }

    void apiKeyModel()
    {
        QTemporaryDir dir;
        auth::ApiKeyStore store(dir.filePath(QStringLiteral("keys.json")));
        QVERIFY(store.load());
        app::ApiKeyListModel model(&store);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        auth::ApiKeyRecord rec;
        QVERIFY(!store.create(auth::Role::Operator, QStringLiteral("Control room"), 0, &rec).isEmpty());
        model.reload();
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), app::ApiKeyListModel::RoleNameRole).toString(), QStringLiteral("operator"));
        QVERIFY(store.revoke(rec.id));
        model.reload();
        QVERIFY(model.data(model.index(0), app::ApiKeyListModel::RevokedRole).toBool());
    }

    void adminGateDesktopNeedsNoPin()
    {
        app::AdminGate gate(false, QString());
        QVERIFY(gate.unlocked());
        QVERIFY(gate.unlock(QString()));
    }

    void adminGateKioskWithoutPinStaysLocked()
    {
        app::AdminGate gate(true, QString());
        QVERIFY(!gate.unlocked());
        QVERIFY(!gate.unlock(QStringLiteral("0000")));
        QVERIFY(!gate.message().isEmpty());
        app::AdminGate bad(true, QStringLiteral("12ab"));  // not digits: treated as unset
        QVERIFY(!bad.pinConfigured());
    }

    void adminGateBacksOffAfterFiveWrongPins()
    {
        qint64 now = 0;
        app::AdminGate gate(true, QStringLiteral("2468"));
        gate.clockMs = [&now] { return now; };
        for (int i = 0; i < 4; ++i)
            QVERIFY(!gate.unlock(QStringLiteral("1111")));
        QCOMPARE(gate.lockoutSeconds(), 0);
        QVERIFY(!gate.unlock(QStringLiteral("1111")));  // fifth
        QCOMPARE(gate.lockoutSeconds(), app::AdminGate::kFirstLockoutS);
        QVERIFY(!gate.unlock(QStringLiteral("2468")));   // right PIN refused during the pause
        now += app::AdminGate::kFirstLockoutS * 1000;
        QVERIFY(!gate.unlock(QStringLiteral("1111")));  // sixth: doubled
        QCOMPARE(gate.lockoutSeconds(), 2 * app::AdminGate::kFirstLockoutS);
        now += 2 * app::AdminGate::kFirstLockoutS * 1000;
        QVERIFY(gate.unlock(QStringLiteral("2468")));
        QVERIFY(gate.unlocked());
        QCOMPARE(gate.failedAttempts(), 0);
        gate.lock();
        QVERIFY(!gate.unlocked());
    }

    // The lockout message says the time left and counts down, in plain words.
    void adminGateLockoutCountsDown()
    {
        qint64 now = 0;
        app::AdminGate gate(true, QStringLiteral("2468"));
        gate.clockMs = [&now] { return now; };
        QVERIFY(!gate.unlock(QStringLiteral("1111")));
        QCOMPARE(gate.message(), QStringLiteral("Wrong PIN. 4 more tries before a pause."));
        for (int i = 0; i < 3; ++i)
            QVERIFY(!gate.unlock(QStringLiteral("1111")));
        QCOMPARE(gate.message(), QStringLiteral("Wrong PIN. 1 more try before a pause."));
        QVERIFY(!gate.unlock(QStringLiteral("1111")));
        QCOMPARE(gate.message(), QStringLiteral("Too many wrong PINs. Try again in 30 seconds."));
        now += 5000;
        QTRY_COMPARE_WITH_TIMEOUT(gate.message(), QStringLiteral("Too many wrong PINs. Try again in 25 seconds."), 2000);
        now += 24000;
        QTRY_COMPARE_WITH_TIMEOUT(gate.message(), QStringLiteral("Too many wrong PINs. Try again in 1 second."), 2000);
        now += 1000;
        QTRY_COMPARE_WITH_TIMEOUT(gate.message(), QString(), 2000);
        QCOMPARE(gate.lockoutSeconds(), 0);
    }

    // Export: the copy lands whole (through a .part file), progress rises to 1, and an existing file is never overwritten.
    void exportCopiesWithProgress()
    {
        QTemporaryDir dir;
        const QString src = dir.filePath(QStringLiteral("rec.mp4"));
        QFile f(src);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray data(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        for (qsizetype i = 0; i < data.size(); ++i)
            data[i] = char(i * 31);
        f.write(data);
        f.close();
        QList<double> steps;
        QString error;
        const QString dst = dir.filePath(QStringLiteral("out.mp4"));
        QVERIFY2(app::LibraryController::copyFile(src, dst, [&steps](double p) { steps << p; }, &error), qPrintable(error));
        QFile copy(dst);
        QVERIFY(copy.open(QIODevice::ReadOnly));
        QCOMPARE(copy.readAll(), data);
        QVERIFY(!QFileInfo::exists(dst + QStringLiteral(".part")));
        QVERIFY(steps.size() >= 4);
        QCOMPARE(steps.last(), 1.0);
        QVERIFY(std::is_sorted(steps.begin(), steps.end()));
        QVERIFY(!app::LibraryController::copyFile(src, dst, {}, &error));  // exists: refused
        QVERIFY(error.startsWith(QStringLiteral("Could not write")));
    }

    void removableDrives()
    {
        QTemporaryDir dir;
        const QStringList found = app::LibraryController::findRemovableDrives(
            {QStringLiteral("/"), QStringLiteral("/media/nonexistent-usb"), dir.path(), QStringLiteral("/boot")});
        QVERIFY(found.isEmpty());  // only writable mounts under /media or /run/media
    }
};

QTEST_GUILESS_MAIN(TstUiModels)
#include "tst_uimodels.moc"
