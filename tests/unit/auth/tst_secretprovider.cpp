#include "auth/SecretProvider.h"
#include "config/Config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace station::auth;
using station::config::Config;

namespace {

Config configFor(const QString &dataDir, const QString &secret = {})
{
    Config c;
    c.set(QStringLiteral("storage.data_dir"), dataDir, QStringLiteral("--set"));
    c.set(QStringLiteral("security.jwt_secret"), secret, QStringLiteral("--set"));
    return c;
}

mode_t modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

} // namespace

class TestSecretProvider : public QObject
{
    Q_OBJECT

private slots:
    void configuredSecretUsed()
    {
        QTemporaryDir dir;
        const QString secret(32, QLatin1Char('s'));
        const SecretResult r = resolveJwtSecret(configFor(dir.path(), secret));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.secret, secret.toUtf8());
        QVERIFY(r.sourcePath.isEmpty());
        QVERIFY(r.createdPath.isEmpty());
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("state/jwt_secret"))));
    }

    void shortSecretRefused()
    {
        QTemporaryDir dir;
        const SecretResult r = resolveJwtSecret(configFor(dir.path(), QString(31, QLatin1Char('s'))));
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QLatin1String("security.jwt_secret")));
        QVERIFY(r.secret.isEmpty());
        QVERIFY(!r.error.contains(QString(31, QLatin1Char('s'))));  // never echoes the value
    }

    void v1DefaultRefused()
    {
        QTemporaryDir dir;
        const SecretResult r = resolveJwtSecret(configFor(dir.path(), QString::fromLatin1(kV1DefaultSecret)));
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QLatin1String("security.jwt_secret")));
        QVERIFY(!r.error.contains(QLatin1String(kV1DefaultSecret)));
    }

    void fileCreatedThenReused()
    {
        QTemporaryDir dir;
        const Config cfg = configFor(dir.path());
        const QString expected = dir.filePath(QStringLiteral("state/jwt_secret"));

        const SecretResult first = resolveJwtSecret(cfg);
        QVERIFY2(first.ok(), qPrintable(first.error));
        QCOMPARE(first.createdPath, expected);
        QCOMPARE(first.sourcePath, expected);
        QVERIFY(first.secret.size() >= 32);
        QCOMPARE(modeOf(expected), mode_t(0600));
        QFile f(expected);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().trimmed(), first.secret);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("state"))).entryList(QDir::Files | QDir::Hidden).size(), 1);  // no temp left

        const SecretResult second = resolveJwtSecret(cfg);
        QVERIFY2(second.ok(), qPrintable(second.error));
        QCOMPARE(second.secret, first.secret);
        QVERIFY(second.createdPath.isEmpty());
        QCOMPARE(second.sourcePath, expected);
    }

    void freshDataDirsDiffer()
    {
        QTemporaryDir a, b;
        const SecretResult ra = resolveJwtSecret(configFor(a.path()));
        const SecretResult rb = resolveJwtSecret(configFor(b.path()));
        QVERIFY(ra.ok() && rb.ok());
        QVERIFY(ra.secret != rb.secret);
    }

    void absoluteFilePath()
    {
        QTemporaryDir dir, other;
        Config cfg = configFor(dir.path());
        const QString path = other.filePath(QStringLiteral("deep/er/secret"));
        cfg.set(QStringLiteral("security.jwt_secret_file"), path, QStringLiteral("--set"));
        const SecretResult r = resolveJwtSecret(cfg);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.createdPath, path);
    }

    void missingFileWithoutCreate()
    {
        QTemporaryDir dir;
        const SecretResult r = resolveJwtSecret(configFor(dir.path()), false);
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QLatin1String("security.jwt_secret_file")));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("state/jwt_secret"))));
    }

    void shortFileRefused()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("state"));
        QFile f(dir.filePath(QStringLiteral("state/jwt_secret")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("too-short\n");
        f.close();
        const SecretResult r = resolveJwtSecret(configFor(dir.path()));
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QLatin1String("security.jwt_secret_file")));
        QVERIFY(!r.error.contains(QLatin1String("too-short")));
    }

    // Issue 12 #12: a secret file others can read is refused with the fix in the message.
    void secretReadableByOthersRefused()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("state"));
        const QString path = dir.filePath(QStringLiteral("state/jwt_secret"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(64, 'a') + '\n');
        f.close();
        for (mode_t mode : {mode_t(0644), mode_t(0640), mode_t(0604), mode_t(0660)}) {
            QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode), 0);
            const SecretResult r = resolveJwtSecret(configFor(dir.path()));
            QVERIFY(!r.ok());
            QVERIFY2(r.error.contains(QLatin1String("chmod 600 ") + path), qPrintable(r.error));
            QVERIFY2(r.error.contains(QLatin1String("security.jwt_secret_file")), qPrintable(r.error));
            QVERIFY(!r.error.contains(QLatin1String("aaaaaaaa")));
        }
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0600), 0);
        const SecretResult ok = resolveJwtSecret(configFor(dir.path()));
        QVERIFY2(ok.ok(), qPrintable(ok.error));
        QCOMPARE(ok.secret, QByteArray(64, 'a'));
    }

    void unreadableAsDirectory()
    {
        // Works as root too: a folder where the file should be cannot be read.
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("state/jwt_secret"));
        const SecretResult r = resolveJwtSecret(configFor(dir.path()));
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(QLatin1String("security.jwt_secret_file")));
    }
};

QTEST_GUILESS_MAIN(TestSecretProvider)
#include "tst_secretprovider.moc"
