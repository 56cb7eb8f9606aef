#include "cameras/Camera.h"
#include "config/Config.h"
#include "mediamtx/MediaMtxConfig.h"
#include "mediamtx/PublisherCommand.h"

#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace station;
using namespace station::mediamtx;

class TestMediaMtxConfig : public QObject
{
    Q_OBJECT

    static config::Config configWith(const QStringList &sets)
    {
        config::ConfigSources src;
        src.environment = QProcessEnvironment();
        src.dataDir = QStringLiteral("/srv/cs");
        src.sets = sets;
        return config::Config::load(src).config;
    }

    static cameras::Camera camera(const QString &id, const QString &type)
    {
        cameras::Camera c;
        c.id = id;
        c.sourceType = type;
        c.resolution = QStringLiteral("1280x720");
        c.fps = 30;
        return c;
    }

private Q_SLOTS:
    void rendersTheSecuredProfile()
    {
        const config::Config cfg = configWith({QStringLiteral("mediamtx.api_port=19997"), QStringLiteral("recording.segment_duration_s=600")});
        cameras::Camera rtsp = camera(QStringLiteral("camera2"), QStringLiteral("rtsp"));
        rtsp.url = QStringLiteral("rtsp://user:pw@192.0.2.7:554/live");
        const QByteArray yaml = MediaMtxConfig::render(cfg, {pathSpecFor(camera(QStringLiteral("camera0"), QStringLiteral("test")), false),
                                                             pathSpecFor(rtsp, true)});
        const YAML::Node root = YAML::Load(yaml.toStdString());
        QCOMPARE(root["apiAddress"].as<std::string>(), std::string("127.0.0.1:19997"));
        QCOMPARE(root["metricsAddress"].as<std::string>().rfind("127.0.0.1:", 0), size_t(0));
        QCOMPARE(root["playbackAddress"].as<std::string>().rfind("127.0.0.1:", 0), size_t(0));
        QVERIFY(root["apiAllowOrigins"].IsSequence() && root["apiAllowOrigins"].size() == 0);
        // Never an anonymous API: the only api grant is the station's user, limited to loopback.
        const YAML::Node users = root["authInternalUsers"];
        int apiGrants = 0;
        for (size_t i = 0; i < users.size(); ++i) {
            for (const YAML::Node &perm : users[i]["permissions"]) {
                if (perm["action"].as<std::string>() == "api") {
                    ++apiGrants;
                    QCOMPARE(int(i), MediaMtxConfig::kApiUserIndex);
                    QCOMPARE(users[i]["user"].as<std::string>(), MediaMtxConfig::apiUser().toStdString());
                    QCOMPARE(users[i]["ips"][1].as<std::string>(), std::string("::1"));
                    QVERIFY(users[i]["pass"].as<std::string>().size() >= 16);
                }
            }
        }
        QCOMPARE(apiGrants, 1);
        const YAML::Node defaults = root["pathDefaults"];
        QCOMPARE(defaults["recordPath"].as<std::string>(), std::string("/srv/cs/recordings/%path/%path_%Y-%m-%d_%H-%M-%S-%f"));
        QCOMPARE(defaults["recordFormat"].as<std::string>(), std::string("fmp4"));
        QCOMPARE(defaults["recordDeleteAfter"].as<std::string>(), std::string("0s"));
        QCOMPARE(defaults["recordSegmentDuration"].as<std::string>(), std::string("600s"));
        QVERIFY(root["paths"]["camera0"]["runOnDemand"].as<std::string>().find("testsrc2=size=1280x720:rate=30") != std::string::npos);
        QCOMPARE(root["paths"]["camera0"]["source"].as<std::string>(), std::string("publisher"));
        QCOMPARE(root["paths"]["camera2"]["source"].as<std::string>(), rtsp.url.toStdString());
        QVERIFY(root["paths"]["camera2"]["record"].as<bool>());
        QVERIFY(!root["paths"]["camera2"]["runOnDemand"]);
    }

    void pathsMediaMtxRefusesAreLeftOut()
    {
        // internal/conf/path.go validateURL / validate: one bad source would
        // make MediaMTX exit on the whole file; it is left out, the rest stays.
        const config::Config cfg = configWith({});
        QList<PathSpec> paths;
        const QStringList urls{QStringLiteral("rtsp://10.0.0.1/ok"), QStringLiteral("rtsp://admin@10.0.0.2/s"), QStringLiteral("RTSP://10.0.0.3/s"),
                               QStringLiteral("rtsp://u:a b@10.0.0.4/s")};
        for (int i = 0; i < urls.size(); ++i) {
            cameras::Camera c = camera(QStringLiteral("camera%1").arg(i), QStringLiteral("rtsp"));
            c.url = urls.at(i);
            paths << pathSpecFor(c, false);
        }
        QVERIFY(pathRefusal(paths.at(0)).isEmpty());
        QVERIFY(pathRefusal(paths.at(1)).contains(QLatin1String("username and password must be both provided")));
        QVERIFY(pathRefusal(paths.at(2)).contains(QLatin1String("invalid source")));
        QVERIFY(pathRefusal(paths.at(3)).contains(QLatin1String("is not a valid URL")));
        PathSpec badName = paths.at(0);
        badName.name = QStringLiteral("../x");
        QVERIFY(pathRefusal(badName).contains(QLatin1String("invalid path name")));  // path.go IsValidPathName
        const YAML::Node root = YAML::Load(MediaMtxConfig::render(cfg, paths).toStdString());
        QCOMPARE(int(root["paths"].size()), 1);
        QVERIFY(root["paths"]["camera0"]);
    }

    void passwordIsPerRender()
    {
        const config::Config cfg = configWith({});
        const YAML::Node a = YAML::Load(MediaMtxConfig::render(cfg, {}).toStdString());
        const YAML::Node b = YAML::Load(MediaMtxConfig::render(cfg, {}).toStdString());
        QVERIFY(a["authInternalUsers"][2]["pass"].as<std::string>() != b["authInternalUsers"][2]["pass"].as<std::string>());
    }

    void publisherCommands()
    {
        const QString test = publisherCommand(camera(QStringLiteral("camera0"), QStringLiteral("test")));
        for (const char *part : {"-re -f lavfi", "-pix_fmt yuv420p", "-tune zerolatency", "-g 30", "-f rtsp -rtsp_transport tcp",
                                 "rtsp://127.0.0.1:$RTSP_PORT/$MTX_PATH"})
            QVERIFY2(test.contains(QLatin1String(part)), part);

        cameras::Camera usb = camera(QStringLiteral("camera1"), QStringLiteral("v4l2"));
        usb.devicePath = QStringLiteral("/dev/video0");
        usb.inputFormat = QStringLiteral("MJPG");
        const QString mjpeg = publisherCommand(usb);
        QVERIFY(mjpeg.contains(QLatin1String("-f v4l2 -input_format mjpeg -video_size 1280x720 -framerate 30 -i /dev/video0")));
        QVERIFY(mjpeg.contains(QLatin1String("-c:v libx264")));
        QVERIFY(mjpeg.contains(QLatin1String("-pix_fmt yuv420p")));
        usb.inputFormat = QStringLiteral("H264");
        const QString copy = publisherCommand(usb);
        QVERIFY(copy.contains(QLatin1String("-input_format h264")));
        QVERIFY(copy.contains(QLatin1String("-c:v copy")));
        QVERIFY(!copy.contains(QLatin1String("libx264")));

        QVERIFY(publisherCommand(camera(QStringLiteral("camera2"), QStringLiteral("rtsp"))).isEmpty());
    }

    void writesAtomically()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("mediamtx.yml"));
        QString error;
        QVERIFY(MediaMtxConfig::writeAtomically(path, "a: 1\n", &error));
        QVERIFY(MediaMtxConfig::writeAtomically(path, "a: 2\n", &error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("a: 2\n"));
        QCOMPARE(f.permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temp file left behind
    }
};

QTEST_GUILESS_MAIN(TestMediaMtxConfig)
#include "tst_mediamtxconfig.moc"
