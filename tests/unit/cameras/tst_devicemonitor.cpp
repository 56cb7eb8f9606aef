#include "cameras/DeviceMonitor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace station::cameras;

class TestDeviceMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nodeNames();
    void inotifyReportsNodes();
    void pollingWhenFolderMissing();
};

void TestDeviceMonitor::nodeNames()
{
    QVERIFY(DeviceMonitor::isVideoNodeName(QStringLiteral("video0")));
    QVERIFY(DeviceMonitor::isVideoNodeName(QStringLiteral("video12")));
    QVERIFY(!DeviceMonitor::isVideoNodeName(QStringLiteral("video")));
    QVERIFY(!DeviceMonitor::isVideoNodeName(QStringLiteral("video0.tmp")));
    QVERIFY(!DeviceMonitor::isVideoNodeName(QStringLiteral("vbi0")));
    QVERIFY(!DeviceMonitor::isVideoNodeName(QStringLiteral("v4l")));
}

void TestDeviceMonitor::inotifyReportsNodes()
{
    QTemporaryDir dir;
    QFile(dir.filePath(QStringLiteral("video0"))).open(QIODevice::WriteOnly);
    QFile(dir.filePath(QStringLiteral("media0"))).open(QIODevice::WriteOnly);
    DeviceMonitor monitor(dir.path());
    QSignalSpy added(&monitor, &DeviceMonitor::deviceAdded);
    QSignalSpy removed(&monitor, &DeviceMonitor::deviceRemoved);
    monitor.start();
    QCOMPARE(monitor.eventSource(), QStringLiteral("inotify"));
    QCOMPARE(added.size(), 1);  // initial enumeration, synchronous
    QCOMPARE(added.takeFirst().first().toString(), dir.filePath(QStringLiteral("video0")));
    QCOMPARE(monitor.devices(), QStringList{dir.filePath(QStringLiteral("video0"))});

    QElapsedTimer t;
    t.start();
    QFile(dir.filePath(QStringLiteral("video3"))).open(QIODevice::WriteOnly);
    QVERIFY(added.wait(1000));
    qInfo("create -> deviceAdded: %lld ms", t.elapsed());
    QCOMPARE(added.takeFirst().first().toString(), dir.filePath(QStringLiteral("video3")));

    // A rename in is an arrival, a rename out a departure; other names are ignored.
    QFile(dir.filePath(QStringLiteral("tmpnode"))).open(QIODevice::WriteOnly);
    QVERIFY(QFile::rename(dir.filePath(QStringLiteral("tmpnode")), dir.filePath(QStringLiteral("video7"))));
    QVERIFY(added.wait(1000));
    QCOMPARE(added.takeFirst().first().toString(), dir.filePath(QStringLiteral("video7")));
    QVERIFY(QFile::rename(dir.filePath(QStringLiteral("video7")), dir.filePath(QStringLiteral("old"))));
    QVERIFY(removed.wait(1000));
    QCOMPARE(removed.takeFirst().first().toString(), dir.filePath(QStringLiteral("video7")));

    QVERIFY(QFile::remove(dir.filePath(QStringLiteral("video0"))));
    QVERIFY(removed.wait(1000));
    QCOMPARE(removed.takeFirst().first().toString(), dir.filePath(QStringLiteral("video0")));
    QCOMPARE(monitor.devices(), QStringList{dir.filePath(QStringLiteral("video3"))});
    QVERIFY(added.isEmpty());
}

void TestDeviceMonitor::pollingWhenFolderMissing()
{
    QTemporaryDir parent;
    const QString path = parent.filePath(QStringLiteral("dev"));
    DeviceMonitor monitor(path);
    QSignalSpy added(&monitor, &DeviceMonitor::deviceAdded);
    monitor.start();
    QCOMPARE(monitor.eventSource(), QStringLiteral("polling"));
    QVERIFY(added.isEmpty());
    QVERIFY(QDir().mkpath(path));
    QFile(path + QStringLiteral("/video1")).open(QIODevice::WriteOnly);
    QVERIFY(added.wait(3000));  // next 2 s poll
    QCOMPARE(added.first().first().toString(), path + QStringLiteral("/video1"));
}

QTEST_GUILESS_MAIN(TestDeviceMonitor)
#include "tst_devicemonitor.moc"
