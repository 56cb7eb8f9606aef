#include "config/Config.h"
#include "config/ConfigSchema.h"

#include <QTemporaryDir>
#include <QTest>

using namespace station::config;

class TestConfig : public QObject
{
    Q_OBJECT

    static ConfigLoadResult loadWith(const QString &yaml, QProcessEnvironment env = QProcessEnvironment(),
                                     QStringList sets = {}, QString dataDir = {})
    {
        static QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("c%1.yaml").arg(qrand()));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(yaml.toUtf8());
        f.close();
        ConfigSources src;
        src.filePath = path;
        src.fileRequired = true;
        src.environment = env;
        src.sets = sets;
        src.dataDir = dataDir;
        return Config::load(src);
    }
    static int qrand()
    {
        static int n = 0;
        return ++n;
    }

private Q_SLOTS:
    void defaults()
    {
        const Config c;
        QCOMPARE(c.integer(QStringLiteral("server.port")), 8002);
        QCOMPARE(c.integer(QStringLiteral("health.port")), 8003);
        QCOMPARE(c.string(QStringLiteral("server.ws_path")), QStringLiteral("/ws"));
        QCOMPARE(c.stringList(QStringLiteral("server.allowed_origins")), QStringList{QStringLiteral("*")});
        QCOMPARE(c.recordingsDir(), QStringLiteral("/var/lib/camera-station/recordings"));
        QCOMPARE(c.stateDir(), QStringLiteral("/var/lib/camera-station/state"));
    }

    void envNamesDerivedFromKeys()
    {
        QCOMPARE(findKey(QStringLiteral("security.rate_limit.per_second"))->envName(), QStringLiteral("CAMERA_STATION_SECURITY_RATE_LIMIT_PER_SECOND"));
        QCOMPARE(findKey(QStringLiteral("health.port"))->envName(), QStringLiteral("CAMERA_STATION_HEALTH_PORT"));
        for (const char *name : {"CAMERA_STATION_SERVER_HOST", "CAMERA_STATION_SERVER_PORT", "CAMERA_STATION_HEALTH_PORT",
                                 "CAMERA_STATION_SECURITY_JWT_SECRET", "CAMERA_STATION_STORAGE_RECORDINGS_DIR",
                                 "CAMERA_STATION_STORAGE_SNAPSHOTS_DIR", "CAMERA_STATION_SERVER_MAX_CONNECTIONS",
                                 "CAMERA_STATION_SECURITY_RATE_LIMIT_BURST"})
            QVERIFY2(findKeyByEnv(QString::fromLatin1(name)), name);
    }

    // The shipped commented file must list every key with its built-in default.
    void shippedFileMatchesDefaults()
    {
        ConfigSources src;
        src.filePath = QStringLiteral(STATION_SOURCE_DIR "/resources/camera-station.yaml");
        src.fileRequired = true;
        src.environment = QProcessEnvironment();
        const ConfigLoadResult r = Config::load(src);
        QVERIFY2(r.ok(), qPrintable(r.errors.join(QLatin1Char('\n'))));
        const Config defaults;
        for (const KeyDef &d : schema()) {
            QVERIFY2(r.config.origin(d.key) == QLatin1String("file"), qPrintable(d.key + QStringLiteral(" missing from the shipped file")));
            QVERIFY2(r.config.value(d.key) == defaults.value(d.key), qPrintable(d.key + QStringLiteral(" differs from its default")));
        }
    }

    void precedence()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAMERA_STATION_SERVER_PORT"), QStringLiteral("9100"));
        env.insert(QStringLiteral("CAMERA_STATION_STORAGE_RECORDINGS_DIR"), QStringLiteral("/env/rec"));
        ConfigLoadResult r = loadWith(QStringLiteral("server:\n  port: 9000\n  max_connections: 7\nstorage:\n  snapshots_dir: /file/snap\n"),
                                      env, {QStringLiteral("server.port=9200")}, QStringLiteral("/data"));
        QVERIFY2(r.ok(), qPrintable(r.errors.join(QLatin1Char('\n'))));
        QCOMPARE(r.config.integer(QStringLiteral("server.port")), 9200);           // --set beats environment
        QCOMPARE(r.config.integer(QStringLiteral("server.max_connections")), 7);   // file beats default
        QCOMPARE(r.config.recordingsDir(), QStringLiteral("/env/rec"));           // environment beats --data-dir
        QCOMPARE(r.config.snapshotsDir(), QStringLiteral("/data/snapshots"));     // --data-dir beats the file
        QCOMPARE(r.config.stateDir(), QStringLiteral("/data/state"));
        QCOMPARE(r.config.origin(QStringLiteral("server.port")), QStringLiteral("--set"));
    }

    void unknownKeyNamesLine()
    {
        const ConfigLoadResult r = loadWith(QStringLiteral("server:\n  port: 8002\n  prot: 1\n"));
        QVERIFY(!r.ok());
        QVERIFY2(r.errors.first().contains(QLatin1String(":3: server.prot: unknown key")), qPrintable(r.errors.first()));
    }

    void badValueNamesKeyAndLine()
    {
        const ConfigLoadResult r = loadWith(QStringLiteral("# comment\nserver:\n  port: eighty\n"));
        QVERIFY(!r.ok());
        QVERIFY2(r.errors.first().contains(QLatin1String(":3: server.port: expected an integer")), qPrintable(r.errors.first()));
        const ConfigLoadResult r2 = loadWith(QStringLiteral("server:\n  port: 70000\n"));
        QVERIFY(!r2.ok());
        QVERIFY(r2.errors.first().contains(QLatin1String("server.port")));
        const ConfigLoadResult r3 = loadWith(QStringLiteral("logging:\n  level: loud\n"));
        QVERIFY(!r3.ok());
        QVERIFY(r3.errors.first().contains(QLatin1String("one of debug, info, warning, error")));
    }

    void invalidYamlNamesLine()
    {
        const ConfigLoadResult r = loadWith(QStringLiteral("server:\n  port: 8002\n   host: [unclosed\n"));
        QVERIFY(!r.ok());
        QVERIFY2(r.errors.first().contains(QLatin1String("invalid YAML")), qPrintable(r.errors.first()));
        QVERIFY2(r.errors.first().contains(QRegularExpression(QStringLiteral(":\\d+: "))), qPrintable(r.errors.first()));
    }

    void integersAndFractions()
    {
        QVERIFY(loadWith(QString(), {}, {QStringLiteral("server.port=6e3")}).ok());
        const ConfigLoadResult r = loadWith(QString(), {}, {QStringLiteral("server.port=80.5")});
        QVERIFY(!r.ok());
        QVERIFY(r.errors.first().contains(QLatin1String("--set: server.port")));
    }

    void unknownEnvironmentWarns()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAMERA_STATION_SERVER_PROT"), QStringLiteral("1"));
        const ConfigLoadResult r = loadWith(QString(), env);
        QVERIFY(r.ok());
        QCOMPARE(r.warnings.size(), 1);
        QVERIFY(r.warnings.first().contains(QLatin1String("CAMERA_STATION_SERVER_PROT")));
    }

    void badEnvironmentValueIsAnError()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAMERA_STATION_HEALTH_PORT"), QStringLiteral("x"));
        const ConfigLoadResult r = loadWith(QString(), env);
        QVERIFY(!r.ok());
        QVERIFY(r.errors.first().contains(QLatin1String("CAMERA_STATION_HEALTH_PORT")));
    }

    void setErrors()
    {
        QVERIFY(!loadWith(QString(), {}, {QStringLiteral("nope.key=1")}).ok());
        QVERIFY(!loadWith(QString(), {}, {QStringLiteral("server.port")}).ok());
        const ConfigLoadResult lists = loadWith(QString(), {}, {QStringLiteral("server.allowed_origins=http://a, http://b")});
        QVERIFY(lists.ok());
        QCOMPARE(lists.config.stringList(QStringLiteral("server.allowed_origins")), (QStringList{QStringLiteral("http://a"), QStringLiteral("http://b")}));
    }

    void crossKeyChecks()
    {
        QVERIFY(!loadWith(QStringLiteral("storage:\n  warn_threshold_percent: 90\n  block_threshold_percent: 80\n")).ok());
        QVERIFY(!loadWith(QString(), {}, {QStringLiteral("server.ws_path=ws")}).ok());
    }

    void objectLists()
    {
        const ConfigLoadResult r = loadWith(QStringLiteral(
            "cameras:\n  sources:\n    - type: rtsp\n      name: Door\n      url: rtsp://10.0.0.5/s\n    - type: test\n      fps: 15\n"));
        QVERIFY2(r.ok(), qPrintable(r.errors.join(QLatin1Char('\n'))));
        const QList<QVariantMap> sources = r.config.objectList(QStringLiteral("cameras.sources"));
        QCOMPARE(sources.size(), 2);
        QCOMPARE(sources[0].value(QStringLiteral("url")).toString(), QStringLiteral("rtsp://10.0.0.5/s"));
        QCOMPARE(sources[1].value(QStringLiteral("fps")).toLongLong(), 15);
        QCOMPARE(sources[1].value(QStringLiteral("width")).toLongLong(), 0);  // defaults filled in

        const ConfigLoadResult bad = loadWith(QStringLiteral("cameras:\n  sources:\n    - type: webcam\n"));
        QVERIFY(!bad.ok());
        QVERIFY2(bad.errors.first().contains(QLatin1String(":3: cameras.sources: type: expected one of usb, rtsp, test")), qPrintable(bad.errors.first()));
        QVERIFY(!loadWith(QStringLiteral("cameras:\n  sources:\n    - name: x\n")).ok());           // type required
        QVERIFY(!loadWith(QStringLiteral("cameras:\n  sources:\n    - type: test\n      colour: red\n")).ok());  // unknown field

        const ConfigLoadResult set = loadWith(QString(), {}, {QStringLiteral(R"(cameras.sources=[{"type":"test","name":"A","fps":10}])")});
        QVERIFY2(set.ok(), qPrintable(set.errors.join(QLatin1Char('\n'))));
        QCOMPARE(set.config.objectList(QStringLiteral("cameras.sources")).first().value(QStringLiteral("fps")).toLongLong(), 10);
        QVERIFY(!loadWith(QString(), {}, {QStringLiteral("cameras.sources=[1]")}).ok());
    }

    void missingExplicitFileIsAnError()
    {
        ConfigSources src;
        src.filePath = QStringLiteral("/nonexistent/camera-station.yaml");
        src.fileRequired = true;
        src.environment = QProcessEnvironment();
        QVERIFY(!Config::load(src).ok());
        src.fileRequired = false;  // the default path may be absent
        QVERIFY(Config::load(src).ok());
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
