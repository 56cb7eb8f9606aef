#include "cameras/V4l2DeviceInfo.h"
#include "cameras/V4l2Prober.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <linux/videodev2.h>

using namespace station::cameras;

class TestV4l2Prober : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void probesRealNodesOrRejectsNonDevices();
    void nonDevicesGiveNullopt();
    void flagAndFourccNames();
    void captureChoice_data();
    void captureChoice();
    void derivedLists();
    void identityKeys();
};

void TestV4l2Prober::probesRealNodesOrRejectsNonDevices()
{
    const QStringList nodes = QDir(QStringLiteral("/dev")).entryList({QStringLiteral("video*")}, QDir::System | QDir::Files, QDir::Name);
    V4l2Prober prober;
    int cameras = 0;
    for (const QString &n : nodes) {
        const QString path = QStringLiteral("/dev/") + n;
        const std::optional<V4l2DeviceInfo> info = prober.probe(path);
        if (!info) {
            qInfo("%s: not a capture node (or not accessible)", qPrintable(path));
            continue;
        }
        ++cameras;
        qInfo("%s: %s (%s), %lld formats", qPrintable(path), qPrintable(info->card), qPrintable(info->driver), qlonglong(info->formats.size()));
        QVERIFY(!info->card.isEmpty());
        QVERIFY(!info->driver.isEmpty());
        QVERIFY(info->deviceCaps.contains(QStringLiteral("Video Capture")));
        QVERIFY(!info->formats.isEmpty());
        QVERIFY(info->version.count(QLatin1Char('.')) == 2);
    }
    if (cameras == 0) {
        // No camera here: the prober must still reject what is not one.
        qInfo("no V4L2 capture node on this machine; checking rejection paths");
        QVERIFY(!prober.probe(QStringLiteral("/dev/null")));
        QVERIFY(!prober.lastFailureTransient());
    }
}

void TestV4l2Prober::nonDevicesGiveNullopt()
{
    V4l2Prober prober;
    QVERIFY(!prober.probe(QStringLiteral("/dev/null")));
    QCOMPARE(prober.lastErrno(), ENOTTY);  // opened, but QUERYCAP is not understood
    QVERIFY(!prober.lastFailureTransient());

    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("video0")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a device");
    f.close();
    QVERIFY(!prober.probe(f.fileName()));
    QVERIFY(!prober.lastFailureTransient());

    QVERIFY(!prober.probe(dir.filePath(QStringLiteral("video9"))));  // missing
    QCOMPARE(prober.lastErrno(), ENOENT);
    QVERIFY(!prober.lastFailureTransient());

    // Unreadable (permissions not set yet): worth a retry. Root ignores modes.
    QVERIFY(f.setPermissions(QFileDevice::Permissions()));
    QVERIFY(!prober.probe(f.fileName()));
    if (prober.lastErrno() == EACCES)
        QVERIFY(prober.lastFailureTransient());
}

void TestV4l2Prober::flagAndFourccNames()
{
    QCOMPARE(V4l2Prober::fourccText(V4L2_PIX_FMT_YUYV), QStringLiteral("YUYV"));
    QCOMPARE(V4l2Prober::fourccText(V4L2_PIX_FMT_MJPEG), QStringLiteral("MJPG"));
    QCOMPARE(V4l2Prober::fourccText(V4L2_PIX_FMT_H264), QStringLiteral("H264"));
    QCOMPARE(V4l2Prober::fourccText(V4L2_PIX_FMT_GREY), QStringLiteral("GREY"));
    QCOMPARE(V4l2Prober::capabilityNames(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING),
             (QStringList{QStringLiteral("Video Capture"), QStringLiteral("Streaming")}));
    QCOMPARE(V4l2Prober::capabilityNames(V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_EXT_PIX_FORMAT),
             (QStringList{QStringLiteral("Extended Pix Format"), QStringLiteral("Metadata Capture"), QStringLiteral("Streaming")}));
    QVERIFY(V4l2Prober::capabilityNames(0).isEmpty());
}

namespace {

V4l2Format format(const QString &fourcc, const QList<V4l2FrameSize> &sizes)
{
    return V4l2Format{fourcc, QString(), sizes};
}

V4l2DeviceInfo webcam()
{
    V4l2DeviceInfo info;
    info.formats << format(QStringLiteral("YUYV"), {{1920, 1080, {5}}, {1280, 720, {10}}, {640, 480, {30, 15}}})
                 << format(QStringLiteral("MJPG"), {{3840, 2160, {30}}, {1920, 1080, {60, 30, 15}}, {1280, 720, {60, 30}}, {640, 480, {30}}})
                 << format(QStringLiteral("H264"), {{1920, 1080, {30}}});
    return info;
}

} // namespace

void TestV4l2Prober::captureChoice_data()
{
    QTest::addColumn<QList<V4l2Format>>("formats");
    QTest::addColumn<QSize>("wantSize");
    QTest::addColumn<int>("wantFps");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<int>("fps");

    QTest::newRow("MJPG preferred, 1080p cap, 30 cap") << webcam().formats << QSize() << 0 << "MJPG" << QSize(1920, 1080) << 30;
    QTest::newRow("override size and fps") << webcam().formats << QSize(1280, 720) << 15 << "MJPG" << QSize(1280, 720) << 15;
    QTest::newRow("override size: its best rate") << webcam().formats << QSize(640, 480) << 0 << "MJPG" << QSize(640, 480) << 30;
    QTest::newRow("H264 stream copy without MJPG")
        << QList<V4l2Format>{format(QStringLiteral("YUYV"), {{640, 480, {30}}}), format(QStringLiteral("H264"), {{1280, 720, {30, 60}}})}
        << QSize() << 0 << "H264" << QSize(1280, 720) << 30;
    QTest::newRow("YUYV only: rate above 30 falls back to the lowest")
        << QList<V4l2Format>{format(QStringLiteral("YUYV"), {{640, 480, {90, 60}}})} << QSize() << 0 << "YUYV" << QSize(640, 480) << 60;
    QTest::newRow("only larger than 1080p: smallest")
        << QList<V4l2Format>{format(QStringLiteral("YUYV"), {{4096, 2160, {30}}, {2560, 1440, {30}}})} << QSize() << 0 << "YUYV" << QSize(2560, 1440) << 30;
    QTest::newRow("nothing known") << QList<V4l2Format>{} << QSize() << 0 << "" << QSize() << 0;
}

void TestV4l2Prober::captureChoice()
{
    QFETCH(QList<V4l2Format>, formats);
    QFETCH(QSize, wantSize);
    QFETCH(int, wantFps);
    V4l2DeviceInfo info;
    info.formats = formats;
    const V4l2CaptureChoice c = info.chooseCapture(wantSize, wantFps);
    QTEST(c.format, "format");
    QTEST(c.size, "size");
    QTEST(c.fps, "fps");
}

void TestV4l2Prober::derivedLists()
{
    const V4l2DeviceInfo info = webcam();
    QCOMPARE(info.formatNames(), (QStringList{QStringLiteral("YUYV"), QStringLiteral("MJPG"), QStringLiteral("H264")}));
    QCOMPARE(info.resolutions(), (QStringList{QStringLiteral("3840x2160"), QStringLiteral("1920x1080"), QStringLiteral("1280x720"), QStringLiteral("640x480")}));
    QCOMPARE(info.fpsOptions(), (QList<int>{60, 30, 15, 10, 5}));
}

void TestV4l2Prober::identityKeys()
{
    QTemporaryDir dev;
    const auto touch = [&dev](const QString &name) {
        QFile f(dev.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
    };
    touch(QStringLiteral("video0"));
    touch(QStringLiteral("video1"));
    touch(QStringLiteral("video2"));
    QVERIFY(QDir(dev.path()).mkpath(QStringLiteral("v4l/by-id")));
    QVERIFY(QDir(dev.path()).mkpath(QStringLiteral("v4l/by-path")));
    QVERIFY(QFile::link(QStringLiteral("../../video0"), dev.filePath(QStringLiteral("v4l/by-id/usb-Foo_Cam_123-video-index0"))));
    QVERIFY(QFile::link(QStringLiteral("../../video0"), dev.filePath(QStringLiteral("v4l/by-path/pci-0000:00:14.0-usb-0:2:1.0-video-index0"))));
    QVERIFY(QFile::link(QStringLiteral("../../video1"), dev.filePath(QStringLiteral("v4l/by-path/pci-0000:00:14.0-usb-0:3:1.0-video-index0"))));

    // by-id first, then by-path, then bus info, then the node name.
    QCOMPARE(V4l2Prober::identityFor(dev.filePath(QStringLiteral("video0")), dev.path(), QStringLiteral("usb-x"), QString()),
             QStringLiteral("usb-Foo_Cam_123-video-index0"));
    QCOMPARE(V4l2Prober::identityFor(dev.filePath(QStringLiteral("video1")), dev.path(), QStringLiteral("usb-x"), QString()),
             QStringLiteral("pci-0000:00:14.0-usb-0:3:1.0-video-index0"));
    QCOMPARE(V4l2Prober::identityFor(dev.filePath(QStringLiteral("video2")), dev.path(), QStringLiteral("usb-0000:00:14.0-4"), QString()),
             QStringLiteral("bus:usb-0000:00:14.0-4"));
    QCOMPARE(V4l2Prober::identityFor(dev.filePath(QStringLiteral("video2")), dev.path(), QString(), QString()), QStringLiteral("node:video2"));

    // A fake sysfs tree: USB vendor:product:serial beats by-path.
    QTemporaryDir sys;
    QVERIFY(QDir(sys.path()).mkpath(QStringLiteral("devices/usb1/1-3/1-3:1.0")));
    QVERIFY(QDir(sys.path()).mkpath(QStringLiteral("class/video4linux/video1")));
    QVERIFY(QFile::link(sys.filePath(QStringLiteral("devices/usb1/1-3/1-3:1.0")), sys.filePath(QStringLiteral("class/video4linux/video1/device"))));
    for (const auto &[file, text] : {std::pair<const char *, const char *>{"idVendor", "046d\n"}, {"idProduct", "082d\n"}, {"serial", "8A3F21\n"}}) {
        QFile f(sys.filePath(QStringLiteral("devices/usb1/1-3/") + QLatin1String(file)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }
    QCOMPARE(V4l2Prober::identityFor(dev.filePath(QStringLiteral("video1")), dev.path(), QString(), sys.path()), QStringLiteral("usb:046d:082d:8A3F21"));
}

QTEST_GUILESS_MAIN(TestV4l2Prober)
#include "tst_v4l2prober.moc"
