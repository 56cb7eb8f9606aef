#include "cameras/CameraIdMap.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace station::cameras;

class TestCameraIdMap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lowestNeverAssignedNumbers();
    void persistsAcrossInstances();
    void noReuseAfterForgetting();
    void rememberedFactsRoundTrip();
    void brokenFileIsReported();
};

void TestCameraIdMap::lowestNeverAssignedNumbers()
{
    QTemporaryDir dir;
    CameraIdMap map(dir.filePath(QStringLiteral("cameras.json")));
    QVERIFY(map.load());  // no file yet: empty
    QCOMPARE(map.numberFor(QStringLiteral("usb-A-video-index0"), QStringLiteral("v4l2")), 0);
    QCOMPARE(map.numberFor(QStringLiteral("rtsp://10.0.0.5:554/s"), QStringLiteral("rtsp")), 1);
    QCOMPARE(map.numberFor(QStringLiteral("test:1"), QStringLiteral("test")), 2);
    // Identical identities: one number.
    QCOMPARE(map.numberFor(QStringLiteral("usb-A-video-index0"), QStringLiteral("v4l2")), 0);
    QCOMPARE(map.numberFor(QStringLiteral("rtsp://10.0.0.5:554/s"), QStringLiteral("rtsp")), 1);
    QCOMPARE(map.records().size(), 3);
    QCOMPARE(map.recordById(QStringLiteral("camera1"))->identity, QStringLiteral("rtsp://10.0.0.5:554/s"));
    QVERIFY(!map.existingNumber(QStringLiteral("usb-B")));
}

void TestCameraIdMap::persistsAcrossInstances()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("state/cameras.json"));  // folder created on demand
    {
        CameraIdMap map(file);
        QVERIFY(map.load());
        map.numberFor(QStringLiteral("a"), QStringLiteral("v4l2"));
        map.numberFor(QStringLiteral("b"), QStringLiteral("v4l2"));
    }
    QVERIFY(QFile::exists(file));  // written at assignment, no explicit save needed
    CameraIdMap again(file);
    QVERIFY(again.load());
    QCOMPARE(again.numberFor(QStringLiteral("b"), QStringLiteral("v4l2")), 1);
    QCOMPARE(again.numberFor(QStringLiteral("a"), QStringLiteral("v4l2")), 0);
    QCOMPARE(again.numberFor(QStringLiteral("c"), QStringLiteral("v4l2")), 2);
}

void TestCameraIdMap::noReuseAfterForgetting()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cameras.json"));
    {
        CameraIdMap map(file);
        map.numberFor(QStringLiteral("old"), QStringLiteral("v4l2"));
        Camera c;
        c.id = QStringLiteral("camera0");
        c.identity = QStringLiteral("old");
        c.sourceType = QStringLiteral("v4l2");
        c.lastSeen = QDateTime::currentDateTimeUtc().addYears(-2);  // long forgotten by the registry
        map.remember(c);
    }
    CameraIdMap map(file);
    QVERIFY(map.load());
    QCOMPARE(map.numberFor(QStringLiteral("new"), QStringLiteral("v4l2")), 1);  // 0 stays reserved
    QCOMPARE(map.numberFor(QStringLiteral("old"), QStringLiteral("v4l2")), 0);  // and comes back
}

void TestCameraIdMap::rememberedFactsRoundTrip()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cameras.json"));
    const QDateTime seen = QDateTime::fromString(QStringLiteral("2025-01-15T14:30:00.123Z"), Qt::ISODateWithMs);
    {
        CameraIdMap map(file);
        Camera c;
        c.identity = QStringLiteral("usb-Foo_Cam_123-video-index0");
        c.sourceType = QStringLiteral("v4l2");
        c.name = QStringLiteral("Foo Cam");
        c.resolution = QStringLiteral("1280x720");
        c.fps = 30;
        c.formats = {QStringLiteral("MJPG"), QStringLiteral("YUYV")};
        c.resolutions = {QStringLiteral("1280x720"), QStringLiteral("640x480")};
        c.fpsOptions = {30, 15};
        c.lastSeen = seen;
        map.remember(c);  // assigns a number for a new identity too
        map.touch({QStringLiteral("usb-Foo_Cam_123-video-index0"), QStringLiteral("unknown")}, seen.addSecs(60));
    }
    CameraIdMap map(file);
    QVERIFY(map.load());
    const std::optional<CameraRecord> r = map.record(QStringLiteral("usb-Foo_Cam_123-video-index0"));
    QVERIFY(r);
    QCOMPARE(r->id(), QStringLiteral("camera0"));
    QCOMPARE(r->name, QStringLiteral("Foo Cam"));
    QCOMPARE(r->resolution, QStringLiteral("1280x720"));
    QCOMPARE(r->fps, 30);
    QCOMPARE(r->formats, (QStringList{QStringLiteral("MJPG"), QStringLiteral("YUYV")}));
    QCOMPARE(r->resolutions, (QStringList{QStringLiteral("1280x720"), QStringLiteral("640x480")}));
    QCOMPARE(r->fpsOptions, (QList<int>{30, 15}));
    QCOMPARE(r->lastSeen, seen.addSecs(60));
    QCOMPARE(r->sourceType, QStringLiteral("v4l2"));
    QVERIFY(!map.record(QStringLiteral("unknown")));

    // The file is plain JSON with the ID spelled out.
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(o.value(QLatin1String("cameras"))[0][QLatin1String("id")].toString(), QStringLiteral("camera0"));
}

void TestCameraIdMap::brokenFileIsReported()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cameras.json"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{not json");
    f.close();
    CameraIdMap map(file);
    QString error;
    QVERIFY(!map.load(&error));
    QVERIFY(error.contains(QLatin1String("cameras.json")));
}

QTEST_GUILESS_MAIN(TestCameraIdMap)
#include "tst_cameraidmap.moc"
