#include "auth/ApiKeyStore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace station::auth;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

mode_t modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

} // namespace

class TestApiKeyStore : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("state/api_keys.json"));
        QFile::remove(m_path);
    }

    void missingFileIsEmpty()
    {
        ApiKeyStore store(m_path);
        QString error;
        QVERIFY2(store.load(&error), qPrintable(error));
        QVERIFY(store.list().isEmpty());
        QCOMPARE(store.authenticate(QStringLiteral("csk_") + QString(43, QLatin1Char('A'))).reason, QStringLiteral("invalid_api_key"));
    }

    void createStoresOnlyHash()
    {
        ApiKeyStore store(m_path);
        QVERIFY(store.load());
        ApiKeyRecord rec;
        QString error;
        const QString key = store.create(Role::Operator, QStringLiteral("nvr"), 0, &rec, &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));
        QVERIFY(QRegularExpression(QStringLiteral("^csk_[A-Za-z0-9_-]{43}$")).match(key).hasMatch());
        QVERIFY(QRegularExpression(QStringLiteral("^key_[0-9a-f]{8}$")).match(rec.id).hasMatch());
        QCOMPARE(rec.role, Role::Operator);
        QCOMPARE(rec.name, QStringLiteral("nvr"));
        QVERIFY(!rec.expiresAt.isValid());
        QVERIFY(!rec.revoked);

        const QByteArray file = readAll(m_path);
        QVERIFY(!file.isEmpty());
        QVERIFY(!file.contains(key.toUtf8()));
        QVERIFY(!file.contains(key.mid(4).toUtf8()));  // not even without the prefix
        QVERIFY(file.contains(QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex()));
        QCOMPARE(modeOf(m_path), mode_t(0600));

        // Two keys never coincide.
        const QString key2 = store.create(Role::Viewer, QStringLiteral("b"), 0);
        QVERIFY(!key2.isEmpty() && key2 != key);
        QCOMPARE(store.list().size(), 2);
        QCOMPARE(modeOf(m_path), mode_t(0600));
    }

    void authenticate()
    {
        ApiKeyStore store(m_path);
        ApiKeyRecord rec;
        const QString key = store.create(Role::Admin, QStringLiteral("ops"), 0, &rec);
        const AuthResult r = store.authenticate(key);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(r.identity.userId, rec.id);
        QCOMPARE(r.identity.apiKeyId, rec.id);
        QCOMPARE(r.identity.role, Role::Admin);
        QCOMPARE(r.identity.authMethod, QStringLiteral("api_key"));
        QVERIFY(!r.identity.expiresAt.isValid());  // never expires
        QVERIFY(store.recheck(rec.id).ok);

        // A fresh instance authenticates from the file alone.
        ApiKeyStore other(m_path);
        QVERIFY(other.load());
        QVERIFY(other.authenticate(key).ok);
    }

    void wrongKeys()
    {
        ApiKeyStore store(m_path);
        const QString key = store.create(Role::Viewer, QStringLiteral("v"), 0);
        QString tampered = key;
        tampered[10] = tampered[10] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
        for (const QString &bad : {tampered, key.left(key.size() - 1), key + QLatin1Char('x'), QString(),
                                   QStringLiteral("csk_"), key + QString(300, QLatin1Char('a'))}) {
            const AuthResult r = store.authenticate(bad);
            QVERIFY(!r.ok);
            QCOMPARE(r.reason, QStringLiteral("invalid_api_key"));
        }
        QCOMPARE(store.recheck(QStringLiteral("key_00000000")).reason, QStringLiteral("invalid_api_key"));
    }

    void revokeById()
    {
        ApiKeyStore store(m_path);
        ApiKeyRecord rec;
        const QString key = store.create(Role::Operator, QStringLiteral("r"), 0, &rec);
        QVERIFY(store.authenticate(key).ok);
        QString error;
        QVERIFY2(store.revoke(rec.id, &error), qPrintable(error));
        QCOMPARE(store.authenticate(key).reason, QStringLiteral("invalid_api_key"));
        QCOMPARE(store.recheck(rec.id).reason, QStringLiteral("api_key_revoked"));
        QVERIFY(store.list().constFirst().revoked);
        QVERIFY(!store.revoke(QStringLiteral("key_ffffffff"), &error));
        QVERIFY(!error.isEmpty());
    }

    void revokeByFullKey()
    {
        ApiKeyStore store(m_path);
        ApiKeyRecord rec;
        const QString key = store.create(Role::Operator, QStringLiteral("r"), 0, &rec);
        const QString keep = store.create(Role::Operator, QStringLiteral("keep"), 0);
        QVERIFY(store.revoke(key));
        QCOMPARE(store.recheck(rec.id).reason, QStringLiteral("api_key_revoked"));
        QVERIFY(store.authenticate(keep).ok);
    }

    void expiry()
    {
        ApiKeyStore store(m_path);
        ApiKeyRecord rec;
        const QString key = store.create(Role::Viewer, QStringLiteral("short"), 60, &rec);
        QVERIFY(rec.expiresAt.isValid());
        QVERIFY(qAbs(rec.expiresAt.secsTo(QDateTime::currentDateTimeUtc()) + 60) <= 2);

        const AuthResult ok = store.authenticate(key, rec.expiresAt.addSecs(-1));
        QVERIFY(ok.ok);
        QCOMPARE(ok.identity.expiresAt, rec.expiresAt);

        const QDateTime later = rec.expiresAt.addSecs(1);
        QCOMPARE(store.authenticate(key, later).reason, QStringLiteral("invalid_api_key"));
        const AuthResult r = store.recheck(rec.id, later);
        QCOMPARE(r.reason, QStringLiteral("api_key_expired"));
        QCOMPARE(r.expiredAt, rec.expiresAt);

        // Expiry survives a round trip through the file.
        ApiKeyStore other(m_path);
        QVERIFY(other.load());
        QCOMPARE(other.list().constFirst().expiresAt, rec.expiresAt);
    }

    void revocationByAnotherInstanceSeen()
    {
        ApiKeyStore service(m_path);
        QVERIFY(service.load());
        ApiKeyRecord rec;
        const QString key = service.create(Role::Operator, QStringLiteral("cam"), 0, &rec);
        QVERIFY(service.authenticate(key).ok);

        // The `apikey revoke` command: another instance, same file.
        ApiKeyStore tool(m_path);
        QVERIFY(tool.load());
        QVERIFY(tool.revoke(rec.id));

        QCOMPARE(service.recheck(rec.id).reason, QStringLiteral("api_key_revoked"));
        QCOMPARE(service.authenticate(key).reason, QStringLiteral("invalid_api_key"));

        // Keys created by the tool are usable by the running service, without a restart.
        const QString fresh = tool.create(Role::Viewer, QStringLiteral("new"), 0);
        QVERIFY(service.authenticate(fresh).ok);
        // And the service's own writes do not drop the tool's changes.
        QVERIFY(!service.create(Role::Viewer, QStringLiteral("svc"), 0).isEmpty());
        QVERIFY(tool.authenticate(fresh).ok);
        QCOMPARE(tool.recheck(rec.id).reason, QStringLiteral("api_key_revoked"));
    }

    void deletedFromFile()
    {
        ApiKeyStore store(m_path);
        ApiKeyRecord rec;
        const QString key = store.create(Role::Viewer, QStringLiteral("x"), 0, &rec);
        QVERIFY(QFile::remove(m_path));
        QCOMPARE(store.recheck(rec.id).reason, QStringLiteral("invalid_api_key"));
        QCOMPARE(store.authenticate(key).reason, QStringLiteral("invalid_api_key"));
    }

    void corruptFileFailsClosed()
    {
        ApiKeyStore store(m_path);
        ApiKeyRecord rec;
        const QString key = store.create(Role::Viewer, QStringLiteral("x"), 0, &rec);
        {
            QFile f(m_path);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("{not json");
        }
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("API keys disabled")));
        QCOMPARE(store.authenticate(key).reason, QStringLiteral("invalid_api_key"));
        ApiKeyStore other(m_path);
        QString error;
        QVERIFY(!other.load(&error));
        QVERIFY(error.contains(QLatin1String("security.api_keys_file")));
    }

    void noneRoleRefused()
    {
        ApiKeyStore store(m_path);
        QString error;
        QVERIFY(store.create(Role::None, QStringLiteral("x"), 0, nullptr, &error).isEmpty());
        QVERIFY(!error.isEmpty());
        QVERIFY(!QFile::exists(m_path));
    }
};

QTEST_GUILESS_MAIN(TestApiKeyStore)
#include "tst_apikeystore.moc"
