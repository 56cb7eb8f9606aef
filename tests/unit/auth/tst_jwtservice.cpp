#include "auth/JwtService.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

using namespace station::auth;

namespace {

const QByteArray kSecret = "0123456789abcdef0123456789abcdef-test-secret";
const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1736951400, Qt::UTC);  // 2025-01-15T14:30:00Z
const qint64 kNowS = kNow.toSecsSinceEpoch();

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray json(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

// Forged by hand, independent of the code under test.
QByteArray forge(const QJsonObject &header, const QJsonObject &claims, const QByteArray &key = kSecret,
                 QCryptographicHash::Algorithm alg = QCryptographicHash::Sha256)
{
    const QByteArray input = b64(json(header)) + '.' + b64(json(claims));
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, key, alg));
}

QJsonObject hs256() { return {{"alg", "HS256"}, {"typ", "JWT"}}; }

QJsonObject claims()
{
    return {{"user_id", "alice"}, {"role", "operator"}, {"iat", double(kNowS - 10)}, {"exp", double(kNowS + 3600)}};
}

QJsonObject with(QJsonObject o, const QString &k, const QJsonValue &v)
{
    if (v.isUndefined()) o.remove(k);
    else o.insert(k, v);
    return o;
}

} // namespace

class TestJwtService : public QObject
{
    Q_OBJECT

private slots:
    void validToken()
    {
        JwtService jwt(kSecret);
        const AuthResult r = jwt.verifySession(forge(hs256(), claims()), kNow);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(r.identity.userId, QStringLiteral("alice"));
        QCOMPARE(r.identity.role, Role::Operator);
        QCOMPARE(r.identity.authMethod, QStringLiteral("jwt"));
        QCOMPARE(r.identity.expiresAt, QDateTime::fromSecsSinceEpoch(kNowS + 3600, Qt::UTC));
    }

    void validWithoutTypAndIntegralReals()
    {
        JwtService jwt(kSecret);
        // 60.0-style numbers are integers per API.md §2.7; typ is optional.
        QJsonObject c = claims();
        c.insert("exp", double(kNowS) + 60.0);
        QVERIFY(jwt.verifySession(forge({{"alg", "HS256"}}, c), kNow).ok);
    }

    void mintedRoundTrip()
    {
        JwtService jwt(kSecret);
        const QByteArray t = jwt.mintSession("bob", Role::Admin, 600, kNow);
        const AuthResult r = jwt.verifySession(t, kNow);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QCOMPARE(r.identity.role, Role::Admin);
        QCOMPARE(r.identity.expiresAt.toSecsSinceEpoch(), kNowS + 600);
        // A token minted by us verifies with our own HMAC, i.e. it really is HS256.
        const QList<QByteArray> p = t.split('.');
        QCOMPARE(b64(QMessageAuthenticationCode::hash(p[0] + '.' + p[1], kSecret, QCryptographicHash::Sha256)), p[2]);
    }

    void rejected_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("reason");
        const QString invalid = QStringLiteral("invalid_token");
        const QString unsupported = QStringLiteral("unsupported_algorithm");

        const QByteArray noneBody = b64(json({{"alg", "none"}, {"typ", "JWT"}})) + '.' + b64(json(claims())) + '.';
        QTest::newRow("alg none, empty signature") << noneBody << unsupported;
        QTest::newRow("alg none, with signature") << forge({{"alg", "none"}}, claims()) << unsupported;
        QTest::newRow("alg lowercase") << forge({{"alg", "hs256"}}, claims()) << unsupported;
        QTest::newRow("HS384 same key") << forge({{"alg", "HS384"}, {"typ", "JWT"}}, claims(), kSecret, QCryptographicHash::Sha384) << unsupported;
        QTest::newRow("HS512 same key") << forge({{"alg", "HS512"}}, claims(), kSecret, QCryptographicHash::Sha512) << unsupported;
        QTest::newRow("RS256 header") << forge({{"alg", "RS256"}, {"typ", "JWT"}}, claims()) << unsupported;
        QTest::newRow("missing alg") << forge({{"typ", "JWT"}}, claims()) << unsupported;
        QTest::newRow("alg not a string") << forge({{"alg", 256}}, claims()) << unsupported;
        QTest::newRow("bad signature") << forge(hs256(), claims(), "another-secret-of-at-least-32-bytes!!") << invalid;
        QTest::newRow("typ xyz") << forge({{"alg", "HS256"}, {"typ", "xyz"}}, claims()) << invalid;
        QTest::newRow("iat 2 min in future") << forge(hs256(), with(claims(), "iat", double(kNowS + 120))) << invalid;
        QTest::newRow("nbf in future") << forge(hs256(), with(claims(), "nbf", double(kNowS + 600))) << invalid;
        QTest::newRow("nbf not integer") << forge(hs256(), with(claims(), "nbf", "soon")) << invalid;
        QTest::newRow("missing exp") << forge(hs256(), with(claims(), "exp", QJsonValue::Undefined)) << invalid;
        QTest::newRow("missing iat") << forge(hs256(), with(claims(), "iat", QJsonValue::Undefined)) << invalid;
        QTest::newRow("exp as string") << forge(hs256(), with(claims(), "exp", QString::number(kNowS + 60))) << invalid;
        QTest::newRow("exp fractional") << forge(hs256(), with(claims(), "exp", kNowS + 60.5)) << invalid;
        QTest::newRow("user_id number") << forge(hs256(), with(claims(), "user_id", 42)) << invalid;
        QTest::newRow("user_id object") << forge(hs256(), with(claims(), "user_id", QJsonObject{{"a", 1}})) << invalid;
        QTest::newRow("user_id null") << forge(hs256(), with(claims(), "user_id", QJsonValue::Null)) << invalid;
        QTest::newRow("user_id empty") << forge(hs256(), with(claims(), "user_id", "")) << invalid;
        QTest::newRow("user_id 129 chars") << forge(hs256(), with(claims(), "user_id", QString(129, 'u'))) << invalid;
        QTest::newRow("role superuser") << forge(hs256(), with(claims(), "role", "superuser")) << invalid;
        QTest::newRow("role missing") << forge(hs256(), with(claims(), "role", QJsonValue::Undefined)) << invalid;
        QTest::newRow("scope claim") << forge(hs256(), with(claims(), "scope", "file_download")) << invalid;
        QTest::newRow("scope other") << forge(hs256(), with(claims(), "scope", "anything")) << invalid;

        const QByteArray good = forge(hs256(), claims());
        QTest::newRow("HS256, empty signature") << good.left(good.lastIndexOf('.') + 1) << invalid;
        QTest::newRow("4 parts") << good + ".AAAA" << invalid;
        QTest::newRow("2 parts") << good.left(good.lastIndexOf('.')) << invalid;
        QTest::newRow("empty") << QByteArray() << invalid;
        QTest::newRow("garbage base64") << QByteArray("!!!.@@@.###") << invalid;
        QTest::newRow("header not JSON") << b64("not json") + '.' + b64(json(claims())) + ".AAAA" << invalid;
        QTest::newRow("header is an array") << b64("[1]") + '.' + b64(json(claims())) + ".AAAA" << invalid;
        QTest::newRow("padded base64") << good + "==" << invalid;
        QTest::newRow("over 8192 bytes")
            << forge(hs256(), with(claims(), "pad", QString(9000, 'x'))) << invalid;
    }

    void rejected()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, reason);
        JwtService jwt(kSecret);
        const AuthResult r = jwt.verifySession(token, kNow);
        QVERIFY(!r.ok);
        QCOMPARE(r.reason, reason);
        QVERIFY(!r.identity.valid());
    }

    void iatWithinSkewAccepted()
    {
        JwtService jwt(kSecret);
        QVERIFY(jwt.verifySession(forge(hs256(), with(claims(), "iat", double(kNowS + 60))), kNow).ok);
        QVERIFY(jwt.verifySession(forge(hs256(), with(claims(), "nbf", double(kNowS))), kNow).ok);
    }

    void expired()
    {
        JwtService jwt(kSecret);
        for (qint64 exp : {kNowS, kNowS - 1, kNowS - 86400}) {
            const AuthResult r = jwt.verifySession(forge(hs256(), with(claims(), "exp", double(exp))), kNow);
            QVERIFY(!r.ok);
            QCOMPARE(r.reason, QStringLiteral("token_expired"));
            QCOMPARE(r.expiredAt, QDateTime::fromSecsSinceEpoch(exp, Qt::UTC));
        }
    }

    // Issue 12 #13: a correctly signed token valid for decades is refused.
    void maximumLifetime()
    {
        JwtService jwt(kSecret);
        QCOMPARE(jwt.maxLifetimeSeconds(), 30LL * 86400);
        QVERIFY(jwt.verifySession(forge(hs256(), with(claims(), "exp", double(kNowS + 30 * 86400))), kNow).ok);
        for (double exp : {double(kNowS + 30 * 86400 + 1), 9007199254740992.0}) {
            const AuthResult r = jwt.verifySession(forge(hs256(), with(claims(), "exp", exp)), kNow);
            QVERIFY(!r.ok);
            QCOMPARE(r.reason, QStringLiteral("invalid_token"));
        }
        jwt.setMaxLifetimeSeconds(3600);
        QVERIFY(jwt.verifySession(forge(hs256(), claims()), kNow).ok);  // exp = now + 3600
        QVERIFY(!jwt.verifySession(forge(hs256(), with(claims(), "exp", double(kNowS + 3601))), kNow).ok);
    }

    // Issue 12 #13: a member named twice (also via an escape) makes the token invalid.
    void duplicateClaimKeys_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("payload");
        const QByteArray times = ",\"iat\":" + QByteArray::number(kNowS - 10) + ",\"exp\":" + QByteArray::number(kNowS + 3600);
        const QByteArray hdr = R"({"alg":"HS256","typ":"JWT"})";
        QTest::newRow("role twice") << hdr << QByteArray(R"({"user_id":"alice","role":"viewer","role":"admin")" + times + "}");
        QTest::newRow("escaped duplicate") << hdr << QByteArray(R"({"user_id":"alice","role":"viewer","r\u006fle":"admin")" + times + "}");
        QTest::newRow("exp twice") << hdr << QByteArray(R"({"user_id":"alice","role":"viewer")" + times + ",\"exp\":9007199254740991}");
        QTest::newRow("alg twice in header") << QByteArray(R"({"alg":"none","alg":"HS256"})")
                                             << QByteArray(R"({"user_id":"alice","role":"viewer")" + times + "}");
    }
    void duplicateClaimKeys()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, payload);
        const QByteArray input = b64(header) + '.' + b64(payload);
        const QByteArray token = input + '.' + b64(QMessageAuthenticationCode::hash(input, kSecret, QCryptographicHash::Sha256));
        JwtService jwt(kSecret);
        const AuthResult r = jwt.verifySession(token, kNow);
        QVERIFY(!r.ok);
        QCOMPARE(r.reason, QStringLiteral("invalid_token"));
        // The same claims without the repetition verify, and nested repeats are not top-level duplicates.
        const QByteArray clean = R"({"user_id":"alice","role":"viewer","x":{"a":1,"a":2},"iat":)" + QByteArray::number(kNowS - 10)
                                 + ",\"exp\":" + QByteArray::number(kNowS + 3600) + "}";
        const QByteArray in2 = b64(R"({"alg":"HS256","typ":"JWT"})") + '.' + b64(clean);
        QVERIFY(jwt.verifySession(in2 + '.' + b64(QMessageAuthenticationCode::hash(in2, kSecret, QCryptographicHash::Sha256)), kNow).ok);
    }

    // Issue 12 #8: a download token names the API key it was minted for.
    void downloadTokenCarriesCredentialId()
    {
        JwtService jwt(kSecret);
        const QString path = QStringLiteral("recordings/a.mp4");
        const AuthResult withKey = jwt.verifyDownload(jwt.mintDownload("alice", Role::Viewer, path, 3600, {}, kNow, "key_0123abcd"), path, kNow);
        QVERIFY(withKey.ok);
        QCOMPARE(withKey.identity.apiKeyId, QStringLiteral("key_0123abcd"));
        const AuthResult without = jwt.verifyDownload(jwt.mintDownload("alice", Role::Viewer, path, 3600, {}, kNow), path, kNow);
        QVERIFY(without.ok);
        QVERIFY(without.identity.apiKeyId.isEmpty());
        QJsonObject c{{"user_id", "alice"}, {"role", "viewer"}, {"scope", "file_download"}, {"path", path},
                      {"iat", double(kNowS - 10)}, {"exp", double(kNowS + 60)}};
        for (const QJsonValue &bad : {QJsonValue(42), QJsonValue(QString())})
            QVERIFY(!jwt.verifyDownload(forge(hs256(), with(c, "cid", bad)), path, kNow).ok);
    }

    void emptySecretNeverVerifies()
    {
        JwtService jwt{QByteArray()};
        QVERIFY(jwt.mintSession("a", Role::Viewer, 60, kNow).isEmpty());
        QVERIFY(!jwt.verifySession(forge(hs256(), claims(), QByteArray()), kNow).ok);
    }

    void downloadTokens()
    {
        JwtService jwt(kSecret);
        const QString path = QStringLiteral("recordings/camera0_2025-01-15_14-30-00-123456.mp4");
        const QByteArray t = jwt.mintDownload("alice", Role::Viewer, path, 3600, {}, kNow);

        const AuthResult ok = jwt.verifyDownload(t, path, kNow);
        QVERIFY2(ok.ok, qPrintable(ok.reason));
        QCOMPARE(ok.identity.userId, QStringLiteral("alice"));
        QCOMPARE(ok.identity.role, Role::Viewer);

        const AuthResult other = jwt.verifyDownload(t, QStringLiteral("snapshots/x.jpg"), kNow);
        QVERIFY(!other.ok);
        QCOMPARE(other.reason, QStringLiteral("forbidden"));

        // Download tokens never open a session, and session tokens never download.
        QCOMPARE(jwt.verifySession(t, kNow).reason, QStringLiteral("invalid_token"));
        QCOMPARE(jwt.verifyDownload(forge(hs256(), claims()), path, kNow).reason, QStringLiteral("invalid_token"));

        // Wrong scope, missing path and expiry, with forged tokens.
        QJsonObject dl = with(with(claims(), "scope", "file_download"), "path", path);
        QVERIFY(jwt.verifyDownload(forge(hs256(), dl), path, kNow).ok);
        QCOMPARE(jwt.verifyDownload(forge(hs256(), with(dl, "scope", "other")), path, kNow).reason, QStringLiteral("invalid_token"));
        QCOMPARE(jwt.verifyDownload(forge(hs256(), with(dl, "path", QJsonValue::Undefined)), path, kNow).reason, QStringLiteral("invalid_token"));
        QCOMPARE(jwt.verifyDownload(forge(hs256(), with(dl, "path", 7)), path, kNow).reason, QStringLiteral("invalid_token"));
        QCOMPARE(jwt.verifyDownload(t, path, kNow.addSecs(3600)).reason, QStringLiteral("token_expired"));
        QCOMPARE(jwt.verifyDownload(forge({{"alg", "HS384"}}, dl, kSecret, QCryptographicHash::Sha384), path, kNow).reason,
                 QStringLiteral("unsupported_algorithm"));
    }

    void mintDownloadNeverBeyondNotAfter()
    {
        JwtService jwt(kSecret);
        const QString path = QStringLiteral("snapshots/a.jpg");
        // The issuing session ends in 100.9 s: the token ends at +100 s, not +101 and not +3600.
        const QDateTime notAfter = kNow.addMSecs(100900);
        const AuthResult r = jwt.verifyDownload(jwt.mintDownload("alice", Role::Admin, path, 3600, notAfter, kNow), path, kNow);
        QVERIFY2(r.ok, qPrintable(r.reason));
        QVERIFY(r.identity.expiresAt <= notAfter);
        QCOMPARE(r.identity.expiresAt.toSecsSinceEpoch(), kNowS + 100);

        // A TTL shorter than the session wins.
        const AuthResult s = jwt.verifyDownload(jwt.mintDownload("alice", Role::Admin, path, 60, notAfter, kNow), path, kNow);
        QCOMPARE(s.identity.expiresAt.toSecsSinceEpoch(), kNowS + 60);

        // A session that already ended yields a token that is already expired.
        const QByteArray late = jwt.mintDownload("alice", Role::Admin, path, 3600, kNow.addSecs(-5), kNow);
        QCOMPARE(jwt.verifyDownload(late, path, kNow).reason, QStringLiteral("token_expired"));
    }
};

QTEST_GUILESS_MAIN(TestJwtService)
#include "tst_jwtservice.moc"
