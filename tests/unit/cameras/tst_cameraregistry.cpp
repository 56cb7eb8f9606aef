#include "cameras/CameraRegistry.h"
#include "cameras/DeviceProber.h"
#include "cameras/StreamUrl.h"
#include "config/Config.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace station;
using namespace station::cameras;

namespace {

// Describes fake nodes by file name; unknown names are "not a capture node".
class FakeProber : public DeviceProber
{
public:
    QHash<QString, V4l2DeviceInfo> devices;
    QHash<QString, int> transientFailures;  // node → failures before it opens
    bool lastTransient = false;
    int probes = 0;

    std::optional<V4l2DeviceInfo> probe(const QString &devicePath) override
    {
        ++probes;
        lastTransient = false;
        const QString name = QFileInfo(devicePath).fileName();
        if (!QFileInfo::exists(devicePath) || !devices.contains(name))
            return std::nullopt;
        if (transientFailures.value(name) > 0) {
            --transientFailures[name];
            lastTransient = true;
            return std::nullopt;
        }
        V4l2DeviceInfo info = devices.value(name);
        info.devicePath = devicePath;
        return info;
    }
    bool lastFailureTransient() const override { return lastTransient; }
};

V4l2DeviceInfo usbCam(const QString &card, const QString &bus)
{
    V4l2DeviceInfo info;
    info.card = card;
    info.driver = QStringLiteral("uvcvideo");
    info.busInfo = bus;
    info.version = QStringLiteral("6.1.0");
    info.capabilities = {QStringLiteral("Video Capture"), QStringLiteral("Metadata Capture"), QStringLiteral("Streaming"),
                         QStringLiteral("Device Capabilities")};
    info.deviceCaps = {QStringLiteral("Video Capture"), QStringLiteral("Streaming")};
    info.formats << V4l2Format{QStringLiteral("YUYV"), QStringLiteral("YUYV 4:2:2"), {{1280, 720, {10}}, {640, 480, {30, 15}}}}
                 << V4l2Format{QStringLiteral("MJPG"), QStringLiteral("Motion-JPEG"), {{1920, 1080, {30, 15}}, {1280, 720, {60, 30}}, {640, 480, {30}}}};
    return info;
}

QVariantMap source(const QString &type, const QVariantMap &fields)
{
    QVariantMap m{{QStringLiteral("type"), type}, {QStringLiteral("name"), QString()}, {QStringLiteral("url"), QString()},
                  {QStringLiteral("device"), QString()}, {QStringLiteral("width"), 0}, {QStringLiteral("height"), 0}, {QStringLiteral("fps"), 0}};
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        m.insert(it.key(), it.value());
    return m;
}

// A data folder and a fake device folder; registries share the state folder.
struct Fixture {
    QTemporaryDir data;
    QTemporaryDir dev;
    config::Config config;
    FakeProber *prober = nullptr;  // owned by the registry
    std::unique_ptr<CameraRegistry> registry;

    Fixture()
    {
        config::ConfigSources src;
        src.dataDir = data.path();
        src.environment = QProcessEnvironment();
        const auto loaded = config::Config::load(src);
        if (!loaded.ok())
            qFatal("config: %s", qPrintable(loaded.errors.join(QStringLiteral("; "))));
        config = loaded.config;
        set(QStringLiteral("cameras.device_dir"), dev.path());
    }

    void set(const QString &key, const QVariant &value) { config.set(key, value, QStringLiteral("--set")); }

    QString node(const QString &name) const { return dev.filePath(name); }

    void plug(const QString &name)
    {
        QFile f(node(name));
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot create %s", qPrintable(f.fileName()));
    }
    void unplug(const QString &name) { QFile::remove(node(name)); }

    // A fresh registry on the same state folder; the prober knows these devices.
    CameraRegistry &start(const QHash<QString, V4l2DeviceInfo> &devices = {})
    {
        registry.reset();
        auto fake = std::make_unique<FakeProber>();
        fake->devices = devices;
        prober = fake.get();
        registry = std::make_unique<CameraRegistry>(config, std::move(fake));
        QSignalSpy done(registry.get(), &CameraRegistry::initialScanFinished);
        registry->start();
        if (!registry->initialScanComplete() && !done.wait(5000))
            qFatal("initial scan did not finish");
        return *registry;
    }

    QStringList ids() const
    {
        QStringList out;
        for (const Camera &c : registry->cameras())
            out << c.id + QLatin1Char('=') + c.status;
        return out;
    }
};

QHash<QString, V4l2DeviceInfo> twoCams()
{
    return {{QStringLiteral("video0"), usbCam(QStringLiteral("Cam A"), QStringLiteral("usb-0000:00:14.0-1"))},
            {QStringLiteral("video1"), usbCam(QStringLiteral("Cam B"), QStringLiteral("usb-0000:00:14.0-2"))}};
}

} // namespace

class TestCameraRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initialScanFindsCaptureNodes();
    void hotplugUnplugReplug();
    void newCameraGetsLowestNeverAssigned();
    void restartKeepsIdsAndListsAbsent();
    void forgetAfterZero();
    void maxCamerasHonoured();
    void demoAndTestCameras();
    void rtspSourcesAndNormalisation();
    void addNetworkCameraIdempotentAndPersisted();
    void removeNetworkCameraKeepsId();
    void byIdIdentityAndUsbOverride();
    void errorStatus();
    void persistedUrlMediaMtxRefusesIsInError();
    void transientProbeFailureRetried();
};

void TestCameraRegistry::initialScanFindsCaptureNodes()
{
    Fixture fx;
    fx.plug(QStringLiteral("video0"));
    fx.plug(QStringLiteral("video1"));
    fx.plug(QStringLiteral("video2"));  // the metadata node of Cam A: the prober says no
    fx.plug(QStringLiteral("vbi0"));    // not a video node name: never probed
    CameraRegistry &reg = fx.start(twoCams());

    QVERIFY(reg.initialScanComplete());
    QVERIFY(!reg.scanning());
    QVERIFY(reg.lastScan().isValid());
    QCOMPARE(reg.eventSource(), QStringLiteral("inotify"));
    QCOMPARE(reg.maxCameras(), 16);
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED")}));
    QCOMPARE(fx.prober->probes, 3);

    const Camera a = *reg.find(QStringLiteral("camera0"));
    QCOMPARE(a.name, QStringLiteral("Cam A"));
    QCOMPARE(a.sourceType, QStringLiteral("v4l2"));
    QCOMPARE(a.devicePath, fx.node(QStringLiteral("video0")));
    QCOMPARE(a.identity, QStringLiteral("bus:usb-0000:00:14.0-1"));
    QCOMPARE(a.inputFormat, QStringLiteral("MJPG"));
    QCOMPARE(a.resolution, QStringLiteral("1920x1080"));
    QCOMPARE(a.captureSize, QSize(1920, 1080));
    QCOMPARE(a.fps, 30);
    QCOMPARE(a.formats, (QStringList{QStringLiteral("YUYV"), QStringLiteral("MJPG")}));
    QCOMPARE(a.resolutions, (QStringList{QStringLiteral("1920x1080"), QStringLiteral("1280x720"), QStringLiteral("640x480")}));
    QCOMPARE(a.fpsOptions, (QList<int>{60, 30, 15, 10}));
    QCOMPARE(a.validationStatus, QStringLiteral("CONFIRMED"));
    QVERIFY(a.v4l2);
    QCOMPARE(a.v4l2->driver, QStringLiteral("uvcvideo"));
    QCOMPARE(reg.find(QStringLiteral("camera1"))->name, QStringLiteral("Cam B"));
    QVERIFY(!reg.find(QStringLiteral("camera2")));
    QVERIFY(!reg.find(QStringLiteral("camera01")));
    QVERIFY(!reg.find(QStringLiteral("video0")));
    QVERIFY(QFile::exists(fx.config.stateDir() + QStringLiteral("/cameras.json")));
}

void TestCameraRegistry::hotplugUnplugReplug()
{
    Fixture fx;
    fx.plug(QStringLiteral("video0"));
    QHash<QString, V4l2DeviceInfo> devices = twoCams();
    const V4l2DeviceInfo hot = usbCam(QStringLiteral("Hot Cam"), QStringLiteral("usb-0000:00:14.0-7"));
    devices.insert(QStringLiteral("video4"), hot);
    devices.insert(QStringLiteral("video5"), hot);  // the same camera after kernel renumbering
    CameraRegistry &reg = fx.start(devices);
    QCOMPARE(fx.ids(), QStringList{QStringLiteral("camera0=CONNECTED")});

    QSignalSpy added(&reg, &CameraRegistry::cameraAdded);
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    QElapsedTimer timer;
    timer.start();
    fx.plug(QStringLiteral("video4"));
    QVERIFY(added.wait(1000));
    const qint64 ms = timer.elapsed();
    qInfo("plug -> cameraAdded took %lld ms (%s)", ms, qPrintable(reg.eventSource()));
    QVERIFY(ms <= 1000);
    QCOMPARE(added.first().first().value<Camera>().id, QStringLiteral("camera1"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).value<Camera>().status, QStringLiteral("CONNECTED"));
    QCOMPARE(changed.first().at(1).toString(), QStringLiteral("DISCONNECTED"));

    // Unplug: still listed, DISCONNECTED, last values kept.
    changed.clear();
    fx.unplug(QStringLiteral("video4"));
    QVERIFY(changed.wait(1000));
    QCOMPARE(changed.first().at(0).value<Camera>().status, QStringLiteral("DISCONNECTED"));
    QCOMPARE(changed.first().at(1).toString(), QStringLiteral("CONNECTED"));
    const Camera gone = *reg.find(QStringLiteral("camera1"));
    QCOMPARE(gone.status, QStringLiteral("DISCONNECTED"));
    QCOMPARE(gone.validationStatus, QStringLiteral("DISCONNECTED"));
    QCOMPARE(gone.name, QStringLiteral("Hot Cam"));
    QCOMPARE(gone.resolution, QStringLiteral("1920x1080"));
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=DISCONNECTED")}));

    // Replug under another node name: same identity, same ID; it was listed, so no cameraAdded.
    added.clear();
    changed.clear();
    fx.plug(QStringLiteral("video5"));
    QVERIFY(changed.wait(1000));
    QCOMPARE(changed.first().at(0).value<Camera>().id, QStringLiteral("camera1"));
    QCOMPARE(changed.first().at(1).toString(), QStringLiteral("DISCONNECTED"));
    QCOMPARE(added.size(), 0);
    QCOMPARE(reg.find(QStringLiteral("camera1"))->status, QStringLiteral("CONNECTED"));
    QCOMPARE(reg.find(QStringLiteral("camera1"))->devicePath, fx.node(QStringLiteral("video5")));
}

void TestCameraRegistry::newCameraGetsLowestNeverAssigned()
{
    Fixture fx;
    fx.set(QStringLiteral("cameras.forget_after_h"), 0);
    fx.plug(QStringLiteral("video0"));
    fx.plug(QStringLiteral("video1"));
    QHash<QString, V4l2DeviceInfo> devices = twoCams();
    devices.insert(QStringLiteral("video3"), usbCam(QStringLiteral("Cam C"), QStringLiteral("usb-0000:00:14.0-3")));
    CameraRegistry &reg = fx.start(devices);
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED")}));

    // camera1 goes away and is forgotten at once; a new camera must not get its number.
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    fx.unplug(QStringLiteral("video1"));
    QVERIFY(changed.wait(1000));
    QCOMPARE(fx.ids(), QStringList{QStringLiteral("camera0=CONNECTED")});
    QSignalSpy added(&reg, &CameraRegistry::cameraAdded);
    fx.plug(QStringLiteral("video3"));
    QVERIFY(added.wait(1000));
    QCOMPARE(added.first().first().value<Camera>().id, QStringLiteral("camera2"));
}

void TestCameraRegistry::restartKeepsIdsAndListsAbsent()
{
    Fixture fx;
    fx.plug(QStringLiteral("video0"));
    fx.plug(QStringLiteral("video1"));
    fx.start(twoCams());
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED")}));
    fx.registry.reset();  // service stops

    // Cam A is gone; Cam B comes back as video3 (kernel renumbering).
    fx.unplug(QStringLiteral("video0"));
    fx.unplug(QStringLiteral("video1"));
    fx.plug(QStringLiteral("video3"));
    CameraRegistry &reg = fx.start({{QStringLiteral("video3"), twoCams().value(QStringLiteral("video1"))}});
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=DISCONNECTED"), QStringLiteral("camera1=CONNECTED")}));
    const Camera absent = *reg.find(QStringLiteral("camera0"));
    QCOMPARE(absent.name, QStringLiteral("Cam A"));
    QCOMPARE(absent.resolution, QStringLiteral("1920x1080"));
    QCOMPARE(absent.fps, 30);
    QCOMPARE(absent.sourceType, QStringLiteral("v4l2"));
    QCOMPARE(absent.validationStatus, QStringLiteral("DISCONNECTED"));
    QCOMPARE(absent.formats, (QStringList{QStringLiteral("YUYV"), QStringLiteral("MJPG")}));
    QCOMPARE(reg.find(QStringLiteral("camera1"))->devicePath, fx.node(QStringLiteral("video3")));
}

void TestCameraRegistry::forgetAfterZero()
{
    Fixture fx;
    fx.set(QStringLiteral("cameras.forget_after_h"), 0);
    fx.plug(QStringLiteral("video0"));
    fx.plug(QStringLiteral("video1"));
    CameraRegistry &reg = fx.start(twoCams());

    // Absent means forgotten at once: a last DISCONNECTED update, then not listed.
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    fx.unplug(QStringLiteral("video0"));
    QVERIFY(changed.wait(1000));
    QCOMPARE(changed.first().at(0).value<Camera>().status, QStringLiteral("DISCONNECTED"));
    QVERIFY(!reg.find(QStringLiteral("camera0")));
    QCOMPARE(fx.ids(), QStringList{QStringLiteral("camera1=CONNECTED")});

    // It returns: the old ID, listed again (cameraAdded, as it was not listed).
    QSignalSpy added(&reg, &CameraRegistry::cameraAdded);
    fx.plug(QStringLiteral("video0"));
    QVERIFY(added.wait(1000));
    QCOMPARE(added.first().first().value<Camera>().id, QStringLiteral("camera0"));

    // After a restart, an absent camera is not listed either.
    fx.unplug(QStringLiteral("video1"));
    fx.registry.reset();
    fx.start(twoCams());
    QCOMPARE(fx.ids(), QStringList{QStringLiteral("camera0=CONNECTED")});

    // With the default 24 h it would be listed.
    fx.set(QStringLiteral("cameras.forget_after_h"), 24);
    fx.start(twoCams());
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=DISCONNECTED")}));
}

void TestCameraRegistry::maxCamerasHonoured()
{
    Fixture fx;
    fx.set(QStringLiteral("cameras.max"), 2);
    fx.set(QStringLiteral("cameras.demo"), 1);
    fx.plug(QStringLiteral("video0"));
    fx.plug(QStringLiteral("video1"));
    CameraRegistry &reg = fx.start(twoCams());
    QCOMPARE(reg.maxCameras(), 2);
    // Two USB cameras fill the slots; the demo camera is ignored (and gets no ID).
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED")}));
    QString error;
    QVERIFY(!reg.addNetworkCamera(QStringLiteral("rtsp://10.0.0.9/live"), QStringLiteral("Gate"), QString(), &error));
    QCOMPARE(error, QStringLiteral("MAX_CAMERAS_REACHED"));
    QVERIFY(reg.networkCameras().isEmpty());

    // A slot frees up: the waiting network camera can now be added and gets the next number.
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    fx.unplug(QStringLiteral("video1"));
    QVERIFY(changed.wait(1000));
    const std::optional<Camera> gate = reg.addNetworkCamera(QStringLiteral("rtsp://10.0.0.9/live"), QStringLiteral("Gate"));
    QVERIFY(gate);
    QCOMPARE(gate->id, QStringLiteral("camera2"));

    // Cam B returns while the slots are full: it waits, and is taken once a slot frees.
    fx.plug(QStringLiteral("video1"));
    QTest::qWait(200);
    QCOMPARE(reg.find(QStringLiteral("camera1"))->status, QStringLiteral("DISCONNECTED"));
    QVERIFY(reg.removeNetworkCamera(QStringLiteral("rtsp://10.0.0.9/live")));
    QCOMPARE(reg.find(QStringLiteral("camera1"))->status, QStringLiteral("CONNECTED"));

    // Likewise when a device leaves: the demo camera was never started, but a waiting node would be.
    QHash<QString, V4l2DeviceInfo> more = twoCams();
    more.insert(QStringLiteral("video3"), usbCam(QStringLiteral("Cam C"), QStringLiteral("usb-0000:00:14.0-3")));
    fx.prober->devices = more;
    fx.plug(QStringLiteral("video3"));
    QTest::qWait(200);
    QCOMPARE(reg.cameras().size(), 2);
    fx.unplug(QStringLiteral("video0"));
    QTRY_VERIFY_WITH_TIMEOUT(reg.find(QStringLiteral("camera3")) && reg.find(QStringLiteral("camera3"))->status == QLatin1String("CONNECTED"), 1000);
    QCOMPARE(reg.find(QStringLiteral("camera3"))->name, QStringLiteral("Cam C"));
}

void TestCameraRegistry::demoAndTestCameras()
{
    Fixture fx;
    fx.set(QStringLiteral("cameras.demo"), 2);
    fx.set(QStringLiteral("cameras.sources"),
           QVariantList{source(QStringLiteral("test"), {{QStringLiteral("name"), QStringLiteral("Lab")}, {QStringLiteral("fps"), 15}}),
                        source(QStringLiteral("test"), {{QStringLiteral("width"), 1280}, {QStringLiteral("height"), 720}})});
    CameraRegistry &reg = fx.start();
    const QList<Camera> cams = reg.cameras();
    QCOMPARE(cams.size(), 4);
    QCOMPARE(cams[0].identity, QStringLiteral("test:Lab"));
    QCOMPARE(cams[0].name, QStringLiteral("Lab"));
    QCOMPARE(cams[0].fps, 15);
    QCOMPARE(cams[0].resolution, QStringLiteral("640x360"));
    QCOMPARE(cams[1].identity, QStringLiteral("test:2"));
    QCOMPARE(cams[1].resolution, QStringLiteral("1280x720"));
    QCOMPARE(cams[1].fps, 25);
    QCOMPARE(cams[2].identity, QStringLiteral("test:3"));
    QCOMPARE(cams[2].name, QStringLiteral("Test pattern 3"));
    QCOMPARE(cams[3].name, QStringLiteral("Test pattern 4"));
    for (const Camera &c : cams) {
        QCOMPARE(c.sourceType, QStringLiteral("test"));
        QCOMPARE(c.status, QStringLiteral("CONNECTED"));
        QCOMPARE(c.captureSize.isValid(), true);
        QCOMPARE(c.validationStatus, QStringLiteral("CONFIRMED"));
    }
    QCOMPARE(cams[3].id, QStringLiteral("camera3"));

    // Fewer demo cameras after a restart: the others are simply not there; IDs stay.
    fx.set(QStringLiteral("cameras.demo"), 1);
    fx.start();
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED"), QStringLiteral("camera2=CONNECTED")}));
}

void TestCameraRegistry::rtspSourcesAndNormalisation()
{
    QCOMPARE(StreamUrl::normalise(QStringLiteral("RTSP://User:Secret@Cam.Example.COM/Stream?x=1")), QStringLiteral("rtsp://cam.example.com:554/Stream?x=1"));
    QCOMPARE(StreamUrl::normalise(QStringLiteral("rtsp://10.0.0.5:8554/s")), QStringLiteral("rtsp://10.0.0.5:8554/s"));
    QCOMPARE(StreamUrl::normalise(QStringLiteral("rtsps://10.0.0.5/s")), QStringLiteral("rtsps://10.0.0.5:322/s"));
    QCOMPARE(StreamUrl::normalise(QStringLiteral("rtsp://[FD00::20]/s")), QStringLiteral("rtsp://[fd00::20]:554/s"));
    QCOMPARE(StreamUrl::normalise(QStringLiteral("http://10.0.0.5/s")), QString());
    QCOMPARE(StreamUrl::normalise(QStringLiteral("rtsp:///nohost")), QString());
    QCOMPARE(StreamUrl::redact(QStringLiteral("rtsp://admin:secret@10.0.0.5/s")), QStringLiteral("rtsp://admin:***@10.0.0.5/s"));
    QCOMPARE(StreamUrl::redact(QStringLiteral("rtsp://10.0.0.5/s")), QStringLiteral("rtsp://10.0.0.5/s"));

    Fixture fx;
    fx.set(QStringLiteral("cameras.sources"),
           QVariantList{source(QStringLiteral("rtsp"), {{QStringLiteral("name"), QStringLiteral("Door")}, {QStringLiteral("url"), QStringLiteral("rtsp://admin:pw@Door.local/live")}}),
                        source(QStringLiteral("rtsp"), {{QStringLiteral("name"), QStringLiteral("Door again")}, {QStringLiteral("url"), QStringLiteral("rtsp://door.local:554/live")}}),
                        source(QStringLiteral("rtsp"), {{QStringLiteral("url"), QStringLiteral("ftp://nope/")}}),
                        source(QStringLiteral("rtsp"), {{QStringLiteral("name"), QStringLiteral("Yard")}, {QStringLiteral("url"), QStringLiteral("rtsp://10.0.0.7:8554/yard")},
                                                        {QStringLiteral("width"), 1280}, {QStringLiteral("height"), 720}, {QStringLiteral("fps"), 20}})});
    CameraRegistry &reg = fx.start();
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED")}));
    const Camera door = *reg.find(QStringLiteral("camera0"));
    QCOMPARE(door.sourceType, QStringLiteral("rtsp"));
    QCOMPARE(door.name, QStringLiteral("Door"));
    QCOMPARE(door.identity, QStringLiteral("rtsp://door.local:554/live"));
    QCOMPARE(door.url, QStringLiteral("rtsp://admin:pw@Door.local/live"));  // kept for MediaMTX, server-side
    QCOMPARE(door.resolution, QString());
    QCOMPARE(door.fps, 0);
    QCOMPARE(door.validationStatus, QStringLiteral("NONE"));
    const Camera yard = *reg.find(QStringLiteral("camera1"));
    QCOMPARE(yard.resolution, QStringLiteral("1280x720"));
    QCOMPARE(yard.fps, 20);
    QVERIFY(reg.networkCameras().isEmpty());  // configured, not added at runtime

    // Adding a configured URL names it and lists it; removing it leaves the configured camera.
    QVERIFY(reg.addNetworkCamera(QStringLiteral("rtsp://door.local/live"), QStringLiteral("Front door")));
    QCOMPARE(reg.find(QStringLiteral("camera0"))->name, QStringLiteral("Front door"));
    QVERIFY(reg.removeNetworkCamera(QStringLiteral("rtsp://door.local/live")));
    QCOMPARE(reg.find(QStringLiteral("camera0"))->status, QStringLiteral("CONNECTED"));
}

void TestCameraRegistry::addNetworkCameraIdempotentAndPersisted()
{
    Fixture fx;
    fx.set(QStringLiteral("cameras.demo"), 1);
    CameraRegistry &reg = fx.start();
    QSignalSpy added(&reg, &CameraRegistry::cameraAdded);
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);

    const std::optional<Camera> a = reg.addNetworkCamera(QStringLiteral("rtsp://op:pw@192.168.42.15:5554/subject"), QStringLiteral("Skydio UAV 15"),
                                                         QStringLiteral("skydio_stanag4609"));
    QVERIFY(a);
    QCOMPARE(a->id, QStringLiteral("camera1"));
    QCOMPARE(a->sourceType, QStringLiteral("rtsp"));
    QCOMPARE(a->status, QStringLiteral("CONNECTED"));
    QCOMPARE(a->name, QStringLiteral("Skydio UAV 15"));
    QCOMPARE(a->streamType, QStringLiteral("skydio_stanag4609"));
    QCOMPARE(added.size(), 1);
    QCOMPARE(changed.size(), 1);

    // Again, differently spelt, new name: same camera, name updated, no second add.
    const std::optional<Camera> again = reg.addNetworkCamera(QStringLiteral("RTSP://192.168.42.15:5554/subject"), QStringLiteral("UAV fifteen"),
                                                             QStringLiteral("skydio_stanag4609"));
    QVERIFY(again);
    QCOMPARE(again->id, QStringLiteral("camera1"));
    QCOMPARE(again->name, QStringLiteral("UAV fifteen"));
    QCOMPARE(added.size(), 1);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.last().at(1).toString(), QStringLiteral("CONNECTED"));
    // Same name once more: nothing changed, nothing signalled.
    QVERIFY(reg.addNetworkCamera(QStringLiteral("rtsp://192.168.42.15:5554/subject"), QStringLiteral("UAV fifteen"), QStringLiteral("skydio_stanag4609")));
    QCOMPARE(changed.size(), 2);

    QCOMPARE(reg.networkCameras().size(), 1);
    QCOMPARE(reg.networkCameras().first().id, QStringLiteral("camera1"));
    QCOMPARE(reg.networkCameras().first().identity, QStringLiteral("rtsp://192.168.42.15:5554/subject"));
    QVERIFY(!reg.addNetworkCamera(QStringLiteral("http://x/y"), QStringLiteral("bad")));

    const QString file = fx.config.stateDir() + QStringLiteral("/external_streams.json");
    QVERIFY(QFile::exists(file));
    QCOMPARE(QFileInfo(file).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());

    // Restart: restored with its ID and name.
    CameraRegistry &after = fx.start();
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera1=CONNECTED")}));
    QCOMPARE(after.find(QStringLiteral("camera1"))->name, QStringLiteral("UAV fifteen"));
    QCOMPARE(after.find(QStringLiteral("camera1"))->url, QStringLiteral("rtsp://192.168.42.15:5554/subject"));
    QCOMPARE(after.networkCameras().size(), 1);
}

void TestCameraRegistry::removeNetworkCameraKeepsId()
{
    Fixture fx;
    CameraRegistry &reg = fx.start();
    QCOMPARE(reg.addNetworkCamera(QStringLiteral("rtsp://10.0.0.1/a"), QStringLiteral("A"))->id, QStringLiteral("camera0"));
    QCOMPARE(reg.addNetworkCamera(QStringLiteral("rtsp://10.0.0.2/b"), QStringLiteral("B"))->id, QStringLiteral("camera1"));

    QSignalSpy removed(&reg, &CameraRegistry::cameraRemoved);
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    const std::optional<Camera> gone = reg.removeNetworkCamera(QStringLiteral("rtsp://user:pw@10.0.0.1:554/a"));  // credentials ignored
    QVERIFY(gone);
    QCOMPARE(gone->id, QStringLiteral("camera0"));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.first().first().toString(), QStringLiteral("camera0"));
    QCOMPARE(changed.size(), 1);  // the last DISCONNECTED update
    QCOMPARE(changed.first().at(0).value<Camera>().status, QStringLiteral("DISCONNECTED"));
    QVERIFY(!reg.find(QStringLiteral("camera0")));
    QCOMPARE(fx.ids(), QStringList{QStringLiteral("camera1=CONNECTED")});
    QVERIFY(!reg.removeNetworkCamera(QStringLiteral("rtsp://10.0.0.1/a")));  // not registered any more

    // A new URL does not take the reserved number; the old URL gets its own back.
    QCOMPARE(reg.addNetworkCamera(QStringLiteral("rtsp://10.0.0.3/c"), QStringLiteral("C"))->id, QStringLiteral("camera2"));
    QCOMPARE(reg.addNetworkCamera(QStringLiteral("rtsp://10.0.0.1/a"), QStringLiteral("A again"))->id, QStringLiteral("camera0"));

    // Removal is persisted too.
    QVERIFY(reg.removeNetworkCamera(QStringLiteral("rtsp://10.0.0.2/b")));
    fx.start();
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=CONNECTED"), QStringLiteral("camera2=CONNECTED")}));
}

void TestCameraRegistry::byIdIdentityAndUsbOverride()
{
    Fixture fx;
    fx.set(QStringLiteral("cameras.sources"),
           QVariantList{source(QStringLiteral("usb"), {{QStringLiteral("device"), QStringLiteral("usb-Foo_Cam_123-video-index0")},
                                                       {QStringLiteral("name"), QStringLiteral("Front desk")},
                                                       {QStringLiteral("width"), 640}, {QStringLiteral("height"), 480}, {QStringLiteral("fps"), 15}})});
    fx.plug(QStringLiteral("video0"));
    fx.plug(QStringLiteral("video1"));
    QVERIFY(QDir(fx.dev.path()).mkpath(QStringLiteral("v4l/by-id")));
    QVERIFY(QFile::link(QStringLiteral("../../video0"), fx.node(QStringLiteral("v4l/by-id/usb-Foo_Cam_123-video-index0"))));
    QHash<QString, V4l2DeviceInfo> devices = twoCams();
    devices.insert(QStringLiteral("video3"), usbCam(QStringLiteral("Foo Cam"), QStringLiteral("usb-0000:00:14.0-9")));  // other port
    CameraRegistry &reg = fx.start(devices);

    const Camera foo = *reg.find(QStringLiteral("camera0"));
    QCOMPARE(foo.identity, QStringLiteral("usb-Foo_Cam_123-video-index0"));
    QCOMPARE(foo.name, QStringLiteral("Front desk"));
    QCOMPARE(foo.resolution, QStringLiteral("640x480"));
    QCOMPARE(foo.fps, 15);
    QCOMPARE(foo.inputFormat, QStringLiteral("MJPG"));
    QCOMPARE(reg.find(QStringLiteral("camera1"))->name, QStringLiteral("Cam B"));  // no override

    // Moved to another port and renumbered: the by-id name follows it, so does the ID.
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    QFile::remove(fx.node(QStringLiteral("v4l/by-id/usb-Foo_Cam_123-video-index0")));
    fx.unplug(QStringLiteral("video0"));
    QVERIFY(changed.wait(1000));
    QVERIFY(QFile::link(QStringLiteral("../../video3"), fx.node(QStringLiteral("v4l/by-id/usb-Foo_Cam_123-video-index0"))));
    changed.clear();
    fx.plug(QStringLiteral("video3"));
    QVERIFY(changed.wait(1000));
    QCOMPARE(changed.first().at(0).value<Camera>().id, QStringLiteral("camera0"));
    QCOMPARE(reg.find(QStringLiteral("camera0"))->status, QStringLiteral("CONNECTED"));
    QCOMPARE(reg.cameras().size(), 2);
}

void TestCameraRegistry::errorStatus()
{
    Fixture fx;
    fx.plug(QStringLiteral("video0"));
    CameraRegistry &reg = fx.start(twoCams());
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);

    QVERIFY(reg.setCameraError(QStringLiteral("camera0"), QStringLiteral("ffmpeg exited")));
    QCOMPARE(reg.find(QStringLiteral("camera0"))->status, QStringLiteral("ERROR"));
    QCOMPARE(reg.find(QStringLiteral("camera0"))->errorReason, QStringLiteral("ffmpeg exited"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(1).toString(), QStringLiteral("CONNECTED"));
    QVERIFY(reg.setCameraError(QStringLiteral("camera0"), QStringLiteral("again")));  // still ERROR: no new event
    QCOMPARE(changed.size(), 1);
    QVERIFY(!reg.setCameraError(QStringLiteral("camera9"), QStringLiteral("x")));

    QVERIFY(reg.clearCameraError(QStringLiteral("camera0")));
    QCOMPARE(reg.find(QStringLiteral("camera0"))->status, QStringLiteral("CONNECTED"));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.last().at(1).toString(), QStringLiteral("ERROR"));
    QVERIFY(!reg.clearCameraError(QStringLiteral("camera0")));

    // An absent camera cannot be in error; unplugging an erroring one makes it DISCONNECTED.
    QVERIFY(reg.setCameraError(QStringLiteral("camera0"), QStringLiteral("x")));
    fx.unplug(QStringLiteral("video0"));
    QTRY_COMPARE_WITH_TIMEOUT(reg.find(QStringLiteral("camera0"))->status, QStringLiteral("DISCONNECTED"), 1000);
    QVERIFY(!reg.setCameraError(QStringLiteral("camera0"), QStringLiteral("x")));
}

void TestCameraRegistry::persistedUrlMediaMtxRefusesIsInError()
{
    // Saved by an older version that accepted what MediaMTX v1.20.1 refuses
    // (internal/conf/path.go validateURL: user without password; validate:
    // upper-case prefix). One bad camera must not take the others down.
    Fixture fx;
    fx.set(QStringLiteral("cameras.sources"), QVariantList{source(QStringLiteral("rtsp"), {{QStringLiteral("url"), QStringLiteral("rtsp://op:@10.0.0.9/cfg")}})});
    QDir().mkpath(fx.config.stateDir());
    QFile f(fx.config.stateDir() + QStringLiteral("/external_streams.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"version":1,"streams":[
        {"url":"rtsp://10.0.0.1/a","name":"A","type":"generic_rtsp","device":"camera1","added_at":"2026-01-01T00:00:00.000Z"},
        {"url":"rtsp://admin@10.0.0.2/b","name":"B","type":"generic_rtsp","device":"camera2","added_at":"2026-01-01T00:00:00.000Z"},
        {"url":"RTSP://10.0.0.3/c","name":"C","type":"generic_rtsp","device":"camera3","added_at":"2026-01-01T00:00:00.000Z"}]})");
    f.close();
    CameraRegistry &reg = fx.start();
    QCOMPARE(fx.ids(), (QStringList{QStringLiteral("camera0=ERROR"), QStringLiteral("camera1=CONNECTED"), QStringLiteral("camera2=ERROR"),
                                    QStringLiteral("camera3=CONNECTED")}));
    QVERIFY2(reg.find(QStringLiteral("camera0"))->errorReason.contains(QLatin1String("username and password must be both provided")),
             qPrintable(reg.find(QStringLiteral("camera0"))->errorReason));
    QVERIFY(reg.find(QStringLiteral("camera2"))->errorReason.contains(QLatin1String("username and password must be both provided")));
    QCOMPARE(reg.find(QStringLiteral("camera3"))->url, QStringLiteral("rtsp://10.0.0.3/c"));  // normalised as MediaMTX needs it
    // Only a URL MediaMTX accepts clears it; the publisher side cannot.
    QVERIFY(!reg.clearCameraError(QStringLiteral("camera2")));
    QSignalSpy changed(&reg, &CameraRegistry::cameraChanged);
    QVERIFY(!reg.addNetworkCamera(QStringLiteral("rtsp://admin:@10.0.0.2/b"), QStringLiteral("B")));
    const std::optional<Camera> fixed = reg.addNetworkCamera(QStringLiteral("rtsp://admin:pw@10.0.0.2/b"), QStringLiteral("B"));
    QVERIFY(fixed);
    QCOMPARE(fixed->id, QStringLiteral("camera2"));
    QCOMPARE(fixed->status, QStringLiteral("CONNECTED"));
    QVERIFY(fixed->errorReason.isEmpty());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(1).toString(), QStringLiteral("ERROR"));
}

void TestCameraRegistry::transientProbeFailureRetried()
{
    Fixture fx;
    CameraRegistry &reg = fx.start(twoCams());
    fx.prober->transientFailures.insert(QStringLiteral("video0"), 2);  // e.g. udev has not set permissions yet
    QSignalSpy added(&reg, &CameraRegistry::cameraAdded);
    fx.plug(QStringLiteral("video0"));
    QVERIFY(added.wait(2000));
    QCOMPARE(added.first().first().value<Camera>().id, QStringLiteral("camera0"));
    QCOMPARE(fx.prober->transientFailures.value(QStringLiteral("video0")), 0);
}

QTEST_GUILESS_MAIN(TestCameraRegistry)
#include "tst_cameraregistry.moc"
