#include "cameras/Camera.h"
#include "config/Config.h"
#include "mediamtx/MediaMtxConfig.h"
#include "mediamtx/PublisherCommand.h"

#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace station;
using namespace station::mediamtx;

namespace {

// What MediaMTX v1.20.1 does with a hook command (internal/externalcmd/cmd_os.go
// runOSSpecific): github.com/kballard/go-shellquote Split ...
QStringList shellquoteSplit(const QString &in, bool *ok)
{
    QStringList words;
    QString cur;
    bool inWord = false;
    *ok = true;
    for (qsizetype i = 0; i < in.size(); ++i) {
        const QChar c = in.at(i);
        if (c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n')) {
            if (inWord)
                words << cur;
            cur.clear();
            inWord = false;
        } else if (c == QLatin1Char('\\')) {
            if (++i >= in.size()) { *ok = false; return {}; }
            if (in.at(i) != QLatin1Char('\n'))
                cur += in.at(i);
            inWord = true;
        } else if (c == QLatin1Char('\'')) {
            const qsizetype end = in.indexOf(QLatin1Char('\''), i + 1);
            if (end < 0) { *ok = false; return {}; }
            cur += in.mid(i + 1, end - i - 1);
            i = end;
            inWord = true;
        } else if (c == QLatin1Char('"')) {
            for (++i;; ++i) {
                if (i >= in.size()) { *ok = false; return {}; }
                if (in.at(i) == QLatin1Char('"'))
                    break;
                if (in.at(i) == QLatin1Char('\\') && i + 1 < in.size() && QStringLiteral("$`\"\\\n").contains(in.at(i + 1)))
                    ++i;
                cur += in.at(i);
            }
            inWord = true;
        } else {
            cur += c;
            inWord = true;
        }
    }
    if (inWord)
        words << cur;
    return words;
}

// ... then Go's os.Expand on every part (cmd.go expandEnv).
QString goExpand(const QString &s, const QHash<QString, QString> &env)
{
    const auto special = [](QChar c) { return QStringLiteral("*#$@!?-0123456789").contains(c); };
    const auto alnum = [](QChar c) { return c == QLatin1Char('_') || (c.unicode() < 128 && c.isLetterOrNumber()); };
    QString out;
    for (qsizetype j = 0; j < s.size(); ++j) {
        if (s.at(j) != QLatin1Char('$') || j + 1 >= s.size()) {
            out += s.at(j);
            continue;
        }
        const QString rest = s.mid(j + 1);
        QString name;
        qsizetype w = 0;
        if (rest.at(0) == QLatin1Char('{')) {
            if (rest.size() > 2 && special(rest.at(1)) && rest.at(2) == QLatin1Char('}')) {
                name = rest.mid(1, 1);
                w = 3;
            } else {
                const qsizetype close = rest.indexOf(QLatin1Char('}'));
                if (close < 0) w = 1;
                else if (close == 1) w = 2;
                else { name = rest.mid(1, close - 1); w = close + 1; }
            }
        } else if (special(rest.at(0))) {
            name = rest.left(1);
            w = 1;
        } else {
            while (w < rest.size() && alnum(rest.at(w)))
                ++w;
            name = rest.left(w);
        }
        if (name.isEmpty() && w == 0)
            out += QLatin1Char('$');
        else if (!name.isEmpty())
            out += env.value(name);
        j += w;
    }
    return out;
}

} // namespace

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
    // Issue 12 #5: with the station's endpoint, MediaMTX asks it about every action
    // (internal/auth/manager.go authenticateHTTP, v1.20.1), nothing excluded.
    void rendersHttpAuthentication()
    {
        const config::Config cfg = configWith({});
        const YAML::Node root = YAML::Load(MediaMtxConfig::render(cfg, {}, QStringLiteral("http://127.0.0.1:41234/mediamtx/auth")).toStdString());
        QCOMPARE(root["authMethod"].as<std::string>(), std::string("http"));
        QCOMPARE(root["authHTTPAddress"].as<std::string>(), std::string("http://127.0.0.1:41234/mediamtx/auth"));
        QVERIFY(root["authHTTPExclude"].IsSequence() && root["authHTTPExclude"].size() == 0);
        // Without an endpoint (only the file's own tests): the internal users.
        const YAML::Node internal = YAML::Load(MediaMtxConfig::render(cfg, {}).toStdString());
        QCOMPARE(internal["authMethod"].as<std::string>(), std::string("internal"));
        QVERIFY(!internal["authHTTPAddress"]);
    }

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
        // internal/conf/credential.go: every user and pass we write is a valid credential.
        for (size_t i = 0; i < users.size(); ++i) {
            QCOMPARE(credentialRefusal(QString::fromStdString(users[i]["user"].as<std::string>())), QString());
            if (users[i]["pass"])
                QCOMPARE(credentialRefusal(QString::fromStdString(users[i]["pass"].as<std::string>())), QString());
        }
        QVERIFY(!credentialRefusal(QStringLiteral("a b")).isEmpty());
        QVERIFY(!credentialRefusal(QStringLiteral("a:b")).isEmpty());
        QVERIFY(!credentialRefusal(QStringLiteral("sha256:not base64!")).isEmpty());
        QVERIFY(credentialRefusal(QStringLiteral("A-z_0.9!$()*+;<=>[]^{}@#&")).isEmpty());
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

    void publisherArgumentsSurviveMediaMtxSplit()
    {
        // A by-id path with a space, a '$', quotes and a backslash reaches ffmpeg unchanged.
        cameras::Camera usb = camera(QStringLiteral("camera1"), QStringLiteral("v4l2"));
        usb.inputFormat = QStringLiteral("MJPG");
        for (const QString &path : {QStringLiteral("/dev/v4l/by-id/usb-Acme Cam$1-video-index0"), QStringLiteral("/dev/v4l/by-id/it's \"odd\" \\ $HOME ${X}"),
                                    QStringLiteral("/dev/video0")}) {
            usb.devicePath = path;
            const QString cmd = publisherCommand(usb);
            bool ok = false;
            QStringList argv = shellquoteSplit(cmd, &ok);
            QVERIFY2(ok, qPrintable(cmd));
            const QHash<QString, QString> env{{QStringLiteral("RTSP_PORT"), QStringLiteral("8554")}, {QStringLiteral("MTX_PATH"), QStringLiteral("camera1")},
                                              {QString::fromLatin1(kLiteralDollarVariable), QStringLiteral("$")}, {QStringLiteral("HOME"), QStringLiteral("/root")}};
            for (QString &a : argv)
                a = goExpand(a, env);
            const qsizetype input = argv.indexOf(QStringLiteral("-i"));
            QVERIFY(input > 0);
            QCOMPARE(argv.value(input + 1), path);
            QCOMPARE(argv.last(), QStringLiteral("rtsp://127.0.0.1:8554/camera1"));
            QCOMPARE(argv.first(), QStringLiteral("ffmpeg"));
        }
        // And the check is real: the unquoted join of old would have split the path.
        bool ok = false;
        QVERIFY(shellquoteSplit(QStringLiteral("-i /dev/a b"), &ok).size() == 3);
        QCOMPARE(goExpand(QStringLiteral("x$1y"), {}), QStringLiteral("xy"));
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
