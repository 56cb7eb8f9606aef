// Command line, configuration checking, secret handling and admin verbs of the
// real binary (app/main.cpp, app/AdminCommands.cpp, API.md §2.6 secret rules).
#include "StationProcess.h"
#include "WsClient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace station::test;

namespace {

QString writeConfig(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(text);
    return path;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

    // Runs the binary; stdout and stderr together in *all.
    static int run(const QStringList &args, QString *all = nullptr, const QList<QPair<QString, QString>> &env = {})
    {
        QString out, err;
        const int code = StationProcess::runToolEnv(args, env, &out, &err);
        if (all)
            *all = out + err;
        return code;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void version()
    {
        QString out, err;
        QCOMPARE(StationProcess::runTool({QStringLiteral("--version")}, &out, &err), 0);
        QVERIFY2(QRegularExpression(QStringLiteral(R"(^camera-station \d+\.\d+\.\d+)")).match(out).hasMatch(), qPrintable(out + err));
        QVERIFY(out.contains(QLatin1String(qVersion())));
    }

    void checkConfigGood()
    {
        const QString path = writeConfig(m_tmp, QStringLiteral("good.yaml"),
                                         "# a comment\nserver:\n  port: 18002\n  host: \"127.0.0.1\"\nretention:\n  policy_type: age\n  max_age_days: 7\n");
        QString out;
        QCOMPARE(run({QStringLiteral("--config"), path, QStringLiteral("--check-config")}, &out), 0);
        QVERIFY2(out.contains(QLatin1String("configuration OK")), qPrintable(out));
        // --check-config does not start anything, whatever the data folder.
        QCOMPARE(run({QStringLiteral("--config"), path, QStringLiteral("--data-dir"), m_tmp.filePath(QStringLiteral("never")),
                      QStringLiteral("--check-config")}), 0);
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("never/recordings"))));
    }

    void shippedConfigPasses()
    {
        const QString path = QStringLiteral(STATION_SOURCE_DIR) + QStringLiteral("/resources/camera-station.yaml");
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QString out;
        QCOMPARE(run({QStringLiteral("--config"), path, QStringLiteral("--check-config")}, &out), 0);
        QVERIFY2(out.contains(QLatin1String("configuration OK")), qPrintable(out));
        QVERIFY2(!out.contains(QLatin1String("warning")), qPrintable(out));
    }

    void unknownKeyNamesKeyAndLine()
    {
        const QString path = writeConfig(m_tmp, QStringLiteral("unknown.yaml"), "server:\n  port: 18002\n  bogus_key: 1\n");
        QString out;
        const int code = run({QStringLiteral("--config"), path, QStringLiteral("--check-config")}, &out);
        QVERIFY(code != 0);
        QVERIFY2(out.contains(QLatin1String("server.bogus_key")), qPrintable(out));
        QVERIFY2(out.contains(path + QStringLiteral(":3")), qPrintable(out));
        // An unknown section too.
        const QString path2 = writeConfig(m_tmp, QStringLiteral("unknown2.yaml"), "server:\n  port: 18002\nnosuchsection:\n  x: 1\n");
        QVERIFY(run({QStringLiteral("--config"), path2, QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(QLatin1String("nosuchsection")) && out.contains(path2 + QStringLiteral(":3")), qPrintable(out));
    }

    void invalidYamlNamesLine()
    {
        const QString path = writeConfig(m_tmp, QStringLiteral("broken.yaml"), "server:\n  port: 18002\n  host: [unclosed\nhealth:\n  port: 1\n");
        QString out;
        QVERIFY(run({QStringLiteral("--config"), path, QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(QRegularExpression(QRegularExpression::escape(path) + QStringLiteral(R"(:\d+)")).match(out).hasMatch(), qPrintable(out));
        QVERIFY2(out.contains(QLatin1String("YAML"), Qt::CaseInsensitive), qPrintable(out));
        // A tab-indented / mis-indented mapping, with a clear line.
        const QString path2 = writeConfig(m_tmp, QStringLiteral("broken2.yaml"), "server:\n  port: 18002\n host: x\n");
        QVERIFY(run({QStringLiteral("--config"), path2, QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(path2 + QStringLiteral(":3")), qPrintable(out));
    }

    void badValueNamesKey()
    {
        const QString path = writeConfig(m_tmp, QStringLiteral("badvalue.yaml"), "server:\n  port: eighty\n");
        QString out;
        QVERIFY(run({QStringLiteral("--config"), path, QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(QLatin1String("server.port")), qPrintable(out));
        QVERIFY2(out.contains(path + QStringLiteral(":2")), qPrintable(out));
        // Out of range and wrong enum values too.
        const QString path2 = writeConfig(m_tmp, QStringLiteral("badvalue2.yaml"), "retention:\n  policy_type: weekly\n");
        QVERIFY(run({QStringLiteral("--config"), path2, QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(QLatin1String("retention.policy_type")), qPrintable(out));
        QVERIFY(run({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--set"), QStringLiteral("server.port=70000"),
                     QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(QLatin1String("server.port")), qPrintable(out));
    }

    void setUnknownKeyFails()
    {
        QString out;
        const QString dataDir = m_tmp.filePath(QStringLiteral("set-nope"));
        // Also when starting the service (it must not start).
        const int code = run({QStringLiteral("--headless"), QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--data-dir"), dataDir,
                              QStringLiteral("--set"), QStringLiteral("nope=1")}, &out);
        QVERIFY2(code > 0, qPrintable(QString::number(code) + QLatin1Char(' ') + out));
        QVERIFY2(out.contains(QLatin1String("nope")), qPrintable(out));
        QVERIFY(run({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--set"), QStringLiteral("noequals"),
                     QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(QLatin1String("noequals")), qPrintable(out));
    }

    void environment()
    {
        QString out;
        int code = run({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--check-config")}, &out,
                       {{QStringLiteral("CAMERA_STATION_SERVER_PORT"), QStringLiteral("abc")}});
        QVERIFY(code != 0);
        QVERIFY2(out.contains(QLatin1String("CAMERA_STATION_SERVER_PORT")), qPrintable(out));
        code = run({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--check-config")}, &out,
                   {{QStringLiteral("CAMERA_STATION_SERVER_PORT"), QStringLiteral("18002")}});
        QCOMPARE(code, 0);
        code = run({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--check-config")}, &out,
                   {{QStringLiteral("CAMERA_STATION_FOO"), QStringLiteral("1")}});
        QCOMPARE(code, 0);
        QVERIFY2(out.contains(QLatin1String("warning")) && out.contains(QLatin1String("CAMERA_STATION_FOO")), qPrintable(out));
        // The service itself starts with the warning.
        StationProcess station;
        station.setEnv(QStringLiteral("CAMERA_STATION_FOO"), QStringLiteral("1"));
        QVERIFY2(station.start(), qPrintable(station.log()));
        QVERIFY2(station.log().contains(QLatin1String("CAMERA_STATION_FOO")), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        c.close();
        station.stop();
        QCOMPARE(station.exitCode(), 0);
    }

    void missingConfigFile()
    {
        QString out;
        QVERIFY(run({QStringLiteral("--config"), QStringLiteral("/missing.yaml"), QStringLiteral("--check-config")}, &out) != 0);
        QVERIFY2(out.contains(QLatin1String("/missing.yaml")), qPrintable(out));
        const int code = run({QStringLiteral("--headless"), QStringLiteral("--config"), QStringLiteral("/missing.yaml"), QStringLiteral("--data-dir"),
                              m_tmp.filePath(QStringLiteral("missing-cfg"))}, &out);
        QVERIFY2(code > 0, qPrintable(out));
    }

    void weakSecretsRefused_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("short") << QStringLiteral("only-31-bytes-long-secret-xxxxx") << QStringLiteral("32");
        QTest::newRow("v1 default") << QStringLiteral("edge-device-secret-key-change-in-production") << QStringLiteral("default");
    }

    void weakSecretsRefused()
    {
        QFETCH(QString, secret);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        StationProcess station({QStringLiteral("--set"), QStringLiteral("security.jwt_secret=") + secret}, dir.path());
        station.setUseTestSecret(false);
        QVERIFY(!station.start());
        QVERIFY(station.waitForExit(10000));
        QVERIFY(!station.isRunning());
        QVERIFY(station.exitCode() != 0);
        const QString log = station.log();
        QVERIFY2(log.contains(QLatin1String("security.jwt_secret")), qPrintable(log));
        QVERIFY2(log.contains(mentions), qPrintable(log));
        QVERIFY2(!log.contains(secret), qPrintable(log));  // never print the secret
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("state/jwt_secret"))));
        // The token verb refuses it the same way.
        QString out, err;
        const int code = StationProcess::runTool({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--data-dir"), dir.path(),
                                                  QStringLiteral("--set"), QStringLiteral("security.jwt_secret=") + secret, QStringLiteral("token"),
                                                  QStringLiteral("--role"), QStringLiteral("admin"), QStringLiteral("--user"), QStringLiteral("u")},
                                                 &out, &err);
        QVERIFY(code != 0);
        QVERIFY(!(out + err).contains(secret));
        QVERIFY(!out.contains(QLatin1Char('.')));  // no token printed
    }

    void generatedSecretIsKeptAndReused()
    {
        QTemporaryDir dir;
        const QString secretPath = dir.filePath(QStringLiteral("state/jwt_secret"));
        QByteArray secret;
        QString token;
        {
            StationProcess station({}, dir.path());
            station.setUseTestSecret(false);
            QVERIFY2(station.start(), qPrintable(station.log()));
            QVERIFY(QFileInfo::exists(secretPath));
            struct stat st{};
            QCOMPARE(::stat(QFile::encodeName(secretPath).constData(), &st), 0);
            QCOMPARE(int(st.st_mode & 07777), 0600);
            QFile f(secretPath);
            QVERIFY(f.open(QIODevice::ReadOnly));
            secret = f.readAll().trimmed();
            QVERIFY(secret.size() >= 32);
            const QString log = station.log();
            QVERIFY2(log.contains(secretPath) || log.contains(QStringLiteral("state/jwt_secret")), qPrintable(log));
            QVERIFY2(!log.contains(QString::fromLatin1(secret)), "the secret itself must not be logged");

            // A token minted by the CLI against the same data folder works on the running station.
            QString err;
            QCOMPARE(StationProcess::runTool({QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--data-dir"), dir.path(),
                                              QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("admin"), QStringLiteral("--user"),
                                              QStringLiteral("u")},
                                             &token, &err),
                     0);
            token = token.trimmed();
            QCOMPARE(token.count(QLatin1Char('.')), 2);
            QVERIFY(!(token + err).contains(QString::fromLatin1(secret)));
            WsClient c;
            QVERIFY(c.open(station.wsUrl()));
            const QJsonObject r = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), token}});
            QCOMPARE(r.value(QLatin1String("result")).toObject().value(QLatin1String("role")).toString(), QStringLiteral("admin"));
            QCOMPARE(r.value(QLatin1String("result")).toObject().value(QLatin1String("user_id")).toString(), QStringLiteral("u"));
            // The test's own secret is not this station's secret.
            WsClient other;
            QVERIFY(other.open(station.wsUrl()));
            QVERIFY(!other.authenticate(StationProcess::token(QStringLiteral("admin"))));
            c.close();
            other.close();
            station.stop();
            QCOMPARE(station.exitCode(), 0);
        }
        {
            StationProcess station({}, dir.path());
            station.setUseTestSecret(false);
            QVERIFY2(station.start(), qPrintable(station.log()));
            QFile f(secretPath);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll().trimmed(), secret);  // reused, not regenerated
            WsClient c;
            QVERIFY(c.open(station.wsUrl()));
            QVERIFY(c.authenticate(token.toLatin1()));
            QVERIFY(!station.log().contains(QString::fromLatin1(secret)));
            c.close();
            station.stop();
            QCOMPARE(station.exitCode(), 0);
        }
    }

    void tokenVerbUsage()
    {
        const QStringList base{QStringLiteral("--config"), QStringLiteral("/dev/null"), QStringLiteral("--data-dir"), m_tmp.filePath(QStringLiteral("tok")),
                               QStringLiteral("--set"), QStringLiteral("security.jwt_secret=") + QString::fromLatin1(StationProcess::testSecret())};
        QString out, err;
        QCOMPARE(StationProcess::runTool(base + QStringList{QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("superuser"),
                                                            QStringLiteral("--user"), QStringLiteral("u")},
                                         &out, &err),
                 2);
        QVERIFY(out.trimmed().isEmpty());
        QVERIFY2(err.contains(QLatin1String("role")), qPrintable(err));
        QCOMPARE(StationProcess::runTool(base + QStringList{QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("admin")}, &out, &err), 2);
        QCOMPARE(StationProcess::runTool(base + QStringList{QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("admin"),
                                                            QStringLiteral("--user"), QStringLiteral("u"), QStringLiteral("--ttl"), QStringLiteral("soon")},
                                         &out, &err),
                 2);
        // A good one, with the fixed secret: it verifies with that secret.
        QCOMPARE(StationProcess::runTool(base + QStringList{QStringLiteral("token"), QStringLiteral("--role"), QStringLiteral("viewer"),
                                                            QStringLiteral("--user"), QStringLiteral("u"), QStringLiteral("--ttl"), QStringLiteral("30m")},
                                         &out, &err),
                 0);
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        const QJsonObject r = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), out.trimmed()}});
        QCOMPARE(r.value(QLatin1String("result")).toObject().value(QLatin1String("role")).toString(), QStringLiteral("viewer"));
        const QDateTime expires = QDateTime::fromString(r.value(QLatin1String("result")).toObject().value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(std::abs(QDateTime::currentDateTimeUtc().secsTo(expires) - 1800) < 30);
        c.close();
        station.stop();
    }

    void dataDirCreatesFolders()
    {
        const QString root = m_tmp.filePath(QStringLiteral("fresh/nested/data"));
        QVERIFY(!QFileInfo::exists(root));
        StationProcess station({}, root);
        QVERIFY2(station.start(), qPrintable(station.log()));
        for (const char *sub : {"recordings", "snapshots", "state"})
            QVERIFY2(QFileInfo(root + QLatin1Char('/') + QLatin1String(sub)).isDir(), sub);
        station.stop();
        QCOMPARE(station.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
