#include "media/FileCatalog.h"
#include "media/MediaProbe.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace station::media;

namespace {

// Creates `rel` under `root` with `bytes` bytes; mtimeSecs > 0 sets the mtime.
QString touch(const QString &root, const QString &rel, qint64 bytes = 10, qint64 mtimeSecs = 0)
{
    const QString path = root + QLatin1Char('/') + rel;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot create %s", qPrintable(path));
    f.write(QByteArray(bytes, 'x'));
    f.close();
    if (mtimeSecs > 0) {
        const QDateTime t = QDateTime::fromSecsSinceEpoch(mtimeSecs, Qt::UTC);
        QFile g(path);
        g.open(QIODevice::ReadWrite);
        g.setFileTime(t, QFileDevice::FileModificationTime);
    }
    return path;
}

QStringList names(const QList<FileEntry> &files)
{
    QStringList out;
    for (const FileEntry &e : files)
        out.append(e.filename);
    return out;
}

const QString kA = QStringLiteral("camera0_2025-01-15_14-30-00-000000.mp4");
const QString kB = QStringLiteral("camera1_2025-01-16_10-00-00-000000.mp4");
const QString kC = QStringLiteral("2025-01-17_08-00-00-500000.mp4");  // MediaMTX default, in camera2/

} // namespace

class TestFileCatalog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void listsTopLevelAndOneFolderDeep()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        touch(r, kA);
        touch(r, QStringLiteral("camera1/") + kB);
        touch(r, QStringLiteral("camera2/") + kC);
        touch(r, QStringLiteral("misc/free.mp4"), 10, 1600000000);
        touch(r, QStringLiteral(".hidden.mp4"));
        touch(r, QStringLiteral("camera1/.partial.mp4"));
        touch(r, QStringLiteral("writing.mp4.tmp"));
        touch(r, QStringLiteral("writing.mp4.part"));
        touch(r, QStringLiteral("misc/deeper/too-deep.mp4"));
        touch(r, QStringLiteral(".hiddendir/x.mp4"));
        QVERIFY(QFile::link(r + QLatin1Char('/') + kA, r + QStringLiteral("/link.mp4")));
        QCOMPARE(::mkfifo(QFile::encodeName(r + QStringLiteral("/fifo.mp4")).constData(), 0600), 0);

        FileCatalog cat(FileKind::Recording, r);
        cat.start();
        cat.waitReady();
        QVERIFY(cat.isReady());
        const auto page = cat.list(QString(), 50, 0);
        QVERIFY(page.error.isEmpty());
        QCOMPARE(names(page.files), (QStringList{kC, kB, kA, QStringLiteral("free.mp4")}));
        QCOMPARE(page.total, 4);
        QCOMPARE(page.files[0].device, QStringLiteral("camera2"));  // from the folder
        QCOMPARE(page.files[0].created, QDateTime(QDate(2025, 1, 17), QTime(8, 0, 0, 500), Qt::UTC));
        QCOMPARE(page.files[1].device, QStringLiteral("camera1"));
        QCOMPARE(page.files[2].device, QStringLiteral("camera0"));
        QCOMPARE(page.files[2].absolutePath, r + QLatin1Char('/') + kA);
        QCOMPARE(page.files[2].size, 10);
        QVERIFY(page.files[3].device.isEmpty());  // "misc" is not a camera ID
        QCOMPARE(page.files[3].created, QDateTime::fromSecsSinceEpoch(1600000000, Qt::UTC));  // mtime
        QCOMPARE(cat.count(), 4);
        QCOMPARE(cat.totalBytes(), 40);
        QCOMPARE(names(cat.all()), names(page.files));
    }

    void newestFirstTiesByFilenameDesc()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        touch(r, QStringLiteral("camera0_2025-01-15_14-30-00-000000.jpg"));
        touch(r, QStringLiteral("camera1_2025-01-15_14-30-00-000000.jpg"));
        touch(r, QStringLiteral("camera0_2025-01-15_14-30-00-000000_1.jpg"));
        touch(r, QStringLiteral("b.jpg"), 1, 1800000000);
        touch(r, QStringLiteral("a.jpg"), 1, 1800000000);
        touch(r, QStringLiteral("c.jpg"), 1, 1600000000);
        FileCatalog cat(FileKind::Snapshot, r);
        const auto page = cat.list(QString(), 50, 0);  // works without start(): scans on first use
        QCOMPARE(names(page.files), (QStringList{
            QStringLiteral("b.jpg"), QStringLiteral("a.jpg"),
            QStringLiteral("camera1_2025-01-15_14-30-00-000000.jpg"),
            QStringLiteral("camera0_2025-01-15_14-30-00-000000_1.jpg"),
            QStringLiteral("camera0_2025-01-15_14-30-00-000000.jpg"), QStringLiteral("c.jpg")}));
        // Snapshots: every regular file is listed, whatever its extension.
        touch(r, QStringLiteral("camera0/notes.txt"), 1, 1500000000);
        QCOMPARE(cat.list(QString(), 50, 0).files.last().filename, QStringLiteral("notes.txt"));
    }

    void paginationAndDeviceFilter()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        for (int i = 0; i < 25; ++i)
            touch(r, captureName(QStringLiteral("camera%1").arg(i % 3),
                                 QDateTime(QDate(2025, 2, 1), QTime(0, 0, i), Qt::UTC), QStringLiteral("jpg")));
        FileCatalog cat(FileKind::Snapshot, r);
        cat.start();
        auto page = cat.list(QString(), 10, 20);
        QCOMPARE(page.total, 25);
        QCOMPARE(page.files.size(), 5);
        QCOMPARE(page.files.first().created.time().second(), 4);
        page = cat.list(QString(), 10, 25);
        QCOMPARE(page.total, 25);
        QVERIFY(page.files.isEmpty());
        page = cat.list(QString(), 1000, 1000);
        QCOMPARE(page.total, 25);
        QVERIFY(page.files.isEmpty());

        page = cat.list(QStringLiteral("camera1"), 3, 2);  // camera1: seconds 1,4,...,22 (8 files)
        QCOMPARE(page.total, 8);
        QCOMPARE(page.files.size(), 3);
        for (const FileEntry &e : page.files)
            QCOMPARE(e.device, QStringLiteral("camera1"));
        QCOMPARE(page.files.first().created.time().second(), 16);
        page = cat.list(QStringLiteral("camera77"), 50, 0);
        QCOMPARE(page.total, 0);
        QVERIFY(page.files.isEmpty());
    }

    void findResolvesExtensionlessRecording()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        touch(r, QStringLiteral("camera0/") + kA, 123);
        touch(r, QStringLiteral("clip"), 5);
        FileCatalog rec(FileKind::Recording, r);
        rec.start();
        auto e = rec.find(kA.chopped(4));
        QVERIFY(e);
        QCOMPARE(e->filename, kA);
        QCOMPARE(e->size, 123);
        QCOMPARE(rec.find(QStringLiteral("clip"))->filename, QStringLiteral("clip"));  // exact name first
        QVERIFY(!rec.find(QStringLiteral("nothing")));
        QVERIFY(!rec.find(QStringLiteral("../") + kA));
        QVERIFY(!rec.find(QStringLiteral("camera0")));  // a folder is not a file

        FileCatalog snaps(FileKind::Snapshot, r);
        QVERIFY(!snaps.find(kA.chopped(4)));  // only recordings resolve without extension
    }

    void externalChangesShowUpImmediately()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        touch(r, kA);
        FileCatalog cat(FileKind::Recording, r);
        cat.start();
        cat.waitReady();
        QSignalSpy changed(&cat, &FileCatalog::changed);
        // No event loop between the write and the list: the catalog must notice by itself.
        for (int i = 0; i < 20; ++i) {
            const QString name = captureName(QStringLiteral("camera3"),
                                             QDateTime(QDate(2025, 3, 1), QTime(0, 0, i), Qt::UTC), QStringLiteral("mp4"));
            touch(r, (i % 2 ? QStringLiteral("camera3/") : QString()) + name, 7);
            const auto page = cat.list(QString(), 1, 0);
            QCOMPARE(page.total, i + 2);
            QCOMPARE(page.files.first().filename, name);
            QVERIFY(cat.find(name));
        }
        // Growth of a file is reported at list time.
        QFile grow(r + QLatin1Char('/') + kA);
        QVERIFY(grow.open(QIODevice::Append));
        grow.write(QByteArray(1000, 'y'));
        grow.close();
        QCOMPARE(cat.find(kA)->size, 1010);
        QCOMPARE(cat.list(QStringLiteral("camera0"), 5, 0).files.first().size, 1010);

        // Deleted externally: gone at once.
        QVERIFY(QFile::remove(r + QLatin1Char('/') + kA));
        QCOMPARE(cat.list(QString(), 50, 0).total, 20);
        QVERIFY(!cat.find(kA));
        // Deleted through the catalog.
        const QString first = cat.list(QString(), 1, 0).files.first().filename;
        QString error;
        QVERIFY(cat.remove(first, &error));
        QVERIFY(!QFile::exists(cat.list(QString(), 1, 0).files.first().absolutePath + QStringLiteral("x")));
        QCOMPARE(cat.list(QString(), 50, 0).total, 19);
        QVERIFY(!cat.find(first));
        QVERIFY(!cat.remove(first, &error));
        QVERIFY(!error.isEmpty());
        // The watcher side: with an event loop, changed() follows an external write.
        changed.clear();
        touch(r, QStringLiteral("late.mp4"));
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() > 0, 5000);
    }

    void duplicateNamesListedOnce()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        touch(r, QStringLiteral("camera1/") + kA, 1);
        touch(r, QStringLiteral("camera0/") + kA, 2);
        touch(r, QStringLiteral("zzz/same.jpg"), 3);
        touch(r, QStringLiteral("aaa/same.jpg"), 4);
        touch(r, QStringLiteral("same.jpg"), 5);
        FileCatalog cat(FileKind::Snapshot, r);
        const auto page = cat.list(QString(), 50, 0);
        QCOMPARE(page.total, 2);
        QCOMPARE(cat.find(kA)->absolutePath, r + QStringLiteral("/camera0/") + kA);  // alphabetical folder
        QCOMPARE(cat.find(QStringLiteral("same.jpg"))->absolutePath, r + QStringLiteral("/same.jpg"));  // top level
        // Removing the visible one uncovers the next.
        QVERIFY(cat.remove(kA, nullptr));
        QCOMPARE(cat.find(kA)->absolutePath, r + QStringLiteral("/camera1/") + kA);
    }

    void missingRootIsAnError()
    {
        QTemporaryDir dir;
        const QString r = dir.path() + QStringLiteral("/nope");
        FileCatalog cat(FileKind::Recording, r);
        cat.start();
        auto page = cat.list(QString(), 50, 0);
        QVERIFY(!page.error.isEmpty());
        QCOMPARE(page.total, 0);
        touch(r, kA);  // the folder appears later
        page = cat.list(QString(), 50, 0);
        QVERIFY(page.error.isEmpty());
        QCOMPARE(page.total, 1);
    }

    void protectedPredicate()
    {
        QTemporaryDir dir;
        touch(dir.path(), kA);
        FileCatalog cat(FileKind::Recording, dir.path());
        const FileEntry e = *cat.find(kA);
        QVERIFY(!cat.isProtected(e));
        cat.setProtectedPredicate([](const FileEntry &f) { return f.device == QLatin1String("camera0"); });
        QVERIFY(cat.isProtected(e));
        QCOMPARE(cat.pathFor(QStringLiteral("x.mp4")), dir.path() + QStringLiteral("/x.mp4"));
    }

    void durationsAndCreationFromMedia()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("ffmpeg")).isEmpty())
            QSKIP("ffmpeg not installed");
        QTemporaryDir dir;
        const QString r = dir.path();
        QDir().mkpath(r + QStringLiteral("/camera4"));
        QProcess p;
        p.start(QStringLiteral("ffmpeg"), {
            QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-f"), QStringLiteral("lavfi"),
            QStringLiteral("-i"), QStringLiteral("testsrc2=size=160x120:rate=10"), QStringLiteral("-t"), QStringLiteral("4"),
            QStringLiteral("-c:v"), QStringLiteral("libx264"), QStringLiteral("-pix_fmt"), QStringLiteral("yuv420p"),
            QStringLiteral("-movflags"), QStringLiteral("+frag_keyframe+empty_moov+default_base_moof"),
            QStringLiteral("-frag_duration"), QStringLiteral("1000000"),
            QStringLiteral("-metadata"), QStringLiteral("creation_time=2024-06-01T12:00:00Z"),
            r + QStringLiteral("/camera4/holiday.mp4")});
        QVERIFY(p.waitForFinished(60000) && p.exitCode() == 0);
        FileCatalog cat(FileKind::Recording, r);
        cat.start();
        cat.waitReady();
        auto e = cat.find(QStringLiteral("holiday"));
        QVERIFY(e);
        QCOMPARE(e->device, QStringLiteral("camera4"));
        QCOMPARE(e->created, QDateTime(QDate(2024, 6, 1), QTime(12, 0), Qt::UTC));  // MP4 creation_time
        QCOMPARE(cat.duration(*e), 4);
        QTRY_COMPARE_WITH_TIMEOUT(cat.list(QString(), 1, 0).files.first().durationSeconds, std::optional<qint64>(4), 5000);
    }

    void listPerformanceOver10000Files()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        const qint64 base = QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch() * 1000;
        for (int i = 0; i < 10000; ++i) {
            const QString folder = i % 2 ? QStringLiteral("camera%1/").arg(i % 4) : QString();
            const QString name = captureName(QStringLiteral("camera%1").arg(i % 4), base + qint64(i) * 1'234'567,
                                             QStringLiteral("jpg"));
            if (i < 4)
                QDir().mkpath(r + QLatin1Char('/') + folder);
            const int fd = ::open(QFile::encodeName(r + QLatin1Char('/') + folder + name).constData(),
                                  O_CREAT | O_WRONLY, 0644);
            QVERIFY(fd >= 0);
            ::close(fd);
        }
        FileCatalog cat(FileKind::Snapshot, r);
        QElapsedTimer scanTimer;
        scanTimer.start();
        cat.start();
        cat.waitReady();
        const qint64 scanMs = scanTimer.elapsed();
        QCOMPARE(cat.list(QString(), 50, 0).total, 10000);  // warm-up

        for (const QString &device : {QString(), QStringLiteral("camera2")}) {
            QList<qint64> ns;
            for (int i = 0; i < 100; ++i) {
                QElapsedTimer t;
                t.start();
                const auto page = cat.list(device, 50, (i * 97) % 2400);
                ns.append(t.nsecsElapsed());
                QCOMPARE(page.files.size(), 50);
            }
            std::sort(ns.begin(), ns.end());
            qInfo("list(limit 50, device '%s') over 10000 files: median %.3f ms, p99 %.3f ms, max %.3f ms "
                  "(initial scan %lld ms)",
                  qPrintable(device), ns[50] / 1e6, ns[98] / 1e6, ns[99] / 1e6, scanMs);
        }
        QElapsedTimer t;
        t.start();
        cat.rescanNow();
        qInfo("full rescan of 10000 files: %lld ms", t.elapsed());
    }
};

QTEST_GUILESS_MAIN(TestFileCatalog)
#include "tst_filecatalog.moc"
