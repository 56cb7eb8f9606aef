// Authentication and sessions of the real binary (API.md §2.6, §4.2, §2.5 -32001 reasons, §15 brute-force limit).
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QTest>

using namespace station::test;

namespace {

const QRegularExpression kIsoMs(QStringLiteral(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"));
const QRegularExpression kUuid(QStringLiteral(R"(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)"));

QString iso(qint64 secsSinceEpoch)
{
    return QDateTime::fromSecsSinceEpoch(secsSinceEpoch, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QJsonObject hs256Header()
{
    return {{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWT")}};
}

QJsonObject claims(const QString &role, qint64 exp, const QJsonValue &user = QStringLiteral("tester"))
{
    return {{QStringLiteral("user_id"), user}, {QStringLiteral("role"), role},
            {QStringLiteral("iat"), QDateTime::currentSecsSinceEpoch()}, {QStringLiteral("exp"), exp}};
}

QJsonObject authWith(WsClient &c, const QByteArray &token)
{
    return c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString::fromLatin1(token)}});
}

// Waits until the wall clock is past `secs` (plus a margin for the server's own clock reading).
void sleepPast(qint64 secs)
{
    while (QDateTime::currentMSecsSinceEpoch() < secs * 1000 + 250)
        QTest::qWait(50);
}

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;

    // Creates an API key with the admin tool; returns {key, id}.
    QPair<QString, QString> createKey(const QString &role)
    {
        QString out, err;
        const int rc = m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("create"), QStringLiteral("--role"), role,
                                            QStringLiteral("--name"), QStringLiteral("itest-") + role}, &out, &err);
        if (rc != 0)
            return {};
        const QRegularExpressionMatch id = QRegularExpression(QStringLiteral(R"(\b(key_[0-9a-f]{8})\b)")).match(err + out);
        return {out.trimmed(), id.captured(1)};
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Many tests below fail on purpose: keep this station's brute-force limit out of the way.
        m_station = std::make_unique<StationProcess>(QStringList{QStringLiteral("--set"), QStringLiteral("security.auth_failures_per_minute=100000")});
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
    }
    void cleanupTestCase()
    {
        m_station->stop();
        QCOMPARE(m_station->exitCode(), 0);
    }

    void validJwtPerRole_data()
    {
        QTest::addColumn<QString>("role");
        QTest::addColumn<QStringList>("permissions");
        QTest::newRow("viewer") << QStringLiteral("viewer") << QStringList{QStringLiteral("view")};
        QTest::newRow("operator") << QStringLiteral("operator") << QStringList{QStringLiteral("view"), QStringLiteral("control")};
        QTest::newRow("admin") << QStringLiteral("admin") << QStringList{QStringLiteral("view"), QStringLiteral("control"), QStringLiteral("admin")};
    }
    void validJwtPerRole()
    {
        QFETCH(QString, role);
        QFETCH(QStringList, permissions);
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 3600;
        const QJsonObject r = authWith(c, StationProcess::signJwt(hs256Header(), claims(role, exp, QStringLiteral("alice"))));
        QVERIFY2(rpcIsSuccess(r), qPrintable(QString::fromUtf8(QJsonDocument(r).toJson())));
        const QJsonObject res = rpcResult(r);
        QCOMPARE(res.value(QLatin1String("authenticated")), QJsonValue(true));
        QCOMPARE(res.value(QLatin1String("role")).toString(), role);
        QStringList got;
        for (const QJsonValue &v : res.value(QLatin1String("permissions")).toArray())
            got << v.toString();
        QCOMPARE(got, permissions);
        const QString expiresAt = res.value(QLatin1String("expires_at")).toString();
        QVERIFY2(kIsoMs.match(expiresAt).hasMatch(), qPrintable(expiresAt));
        QCOMPARE(expiresAt, iso(exp));
        const QString sessionId = res.value(QLatin1String("session_id")).toString();
        QVERIFY2(kUuid.match(sessionId).hasMatch(), qPrintable(sessionId));
        QCOMPARE(res.value(QLatin1String("user_id")).toString(), QStringLiteral("alice"));
        QCOMPARE(res.value(QLatin1String("auth_method")).toString(), QStringLiteral("jwt"));
        // Each authentication gets its own session id.
        const QJsonObject again = authWith(c, StationProcess::signJwt(hs256Header(), claims(role, exp, QStringLiteral("alice"))));
        QVERIFY(rpcIsSuccess(again));
        QVERIFY(rpcResult(again).value(QLatin1String("session_id")).toString() != sessionId);
        // And the connection is usable at that role.
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_server_info"))));
    }

    void expiredToken()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() - 10;
        QJsonObject cl = claims(QStringLiteral("admin"), exp);
        cl.insert(QStringLiteral("iat"), exp - 3600);
        const QJsonObject r = authWith(c, StationProcess::signJwt(hs256Header(), cl));
        QCOMPARE(rpcCode(r), -32001);
        QCOMPARE(rpcError(r).value(QLatin1String("message")).toString(), QStringLiteral("Authentication failed or token expired"));
        QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("token_expired"));
        QCOMPARE(rpcDataString(r, "expired_at"), iso(exp));
        // Still unauthenticated.
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void forgedSignature()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 3600;
        const QJsonObject r = authWith(c, StationProcess::signJwt(hs256Header(), claims(QStringLiteral("admin"), exp),
                                                                  QByteArrayLiteral("some-other-secret-of-enough-length-000000")));
        QCOMPARE(rpcCode(r), -32001);
        QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("invalid_token"));
        QVERIFY(!rpcErrorData(r).contains(QLatin1String("expired_at")));

        // A valid token whose payload was swapped after signing (privilege escalation attempt).
        const QByteArray viewer = StationProcess::token(QStringLiteral("viewer"));
        const QByteArray admin = StationProcess::token(QStringLiteral("admin"));
        const QList<QByteArray> v = viewer.split('.');
        const QList<QByteArray> a = admin.split('.');
        const QJsonObject swapped = authWith(c, v[0] + '.' + a[1] + '.' + v[2]);
        QCOMPARE(rpcCode(swapped), -32001);
        QCOMPARE(rpcDataString(swapped, "reason"), QStringLiteral("invalid_token"));

        // Garbage that is not a JWT at all.
        for (const char *junk : {"not-a-jwt", "a.b.c", "..", "eyJhbGciOiJIUzI1NiJ9.e30"}) {
            const QJsonObject j = authWith(c, QByteArray(junk));
            QCOMPARE(rpcCode(j), -32001);
            QCOMPARE(rpcDataString(j, "reason"), QStringLiteral("invalid_token"));
        }
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void algNoneIsUnsupported()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 3600;
        const auto b64 = [](const QJsonObject &o) {
            return QJsonDocument(o).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        };
        const QByteArray unsignedToken = b64({{QStringLiteral("alg"), QStringLiteral("none")}, {QStringLiteral("typ"), QStringLiteral("JWT")}})
            + '.' + b64(claims(QStringLiteral("admin"), exp)) + '.';
        const QJsonObject r = authWith(c, unsignedToken);
        QCOMPARE(rpcCode(r), -32001);
        QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("unsupported_algorithm"));
        // "none" with a signature computed anyway is still refused.
        const QJsonObject r2 = authWith(c, StationProcess::signJwt({{QStringLiteral("alg"), QStringLiteral("none")}}, claims(QStringLiteral("admin"), exp)));
        QCOMPARE(rpcDataString(r2, "reason"), QStringLiteral("unsupported_algorithm"));
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void hs384WithSameSecretIsUnsupported()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 3600;
        const auto b64 = [](const QByteArray &b) { return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals); };
        const QByteArray input = b64(QJsonDocument(QJsonObject{{QStringLiteral("alg"), QStringLiteral("HS384")}, {QStringLiteral("typ"), QStringLiteral("JWT")}}).toJson(QJsonDocument::Compact))
            + '.' + b64(QJsonDocument(claims(QStringLiteral("admin"), exp)).toJson(QJsonDocument::Compact));
        const QByteArray token = input + '.' + b64(QMessageAuthenticationCode::hash(input, StationProcess::testSecret(), QCryptographicHash::Sha384));
        const QJsonObject r = authWith(c, token);
        QCOMPARE(rpcCode(r), -32001);
        QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("unsupported_algorithm"));
        // RS256 and HS512 headers likewise.
        for (const char *alg : {"RS256", "HS512", "hs256"}) {
            const QJsonObject o = authWith(c, StationProcess::signJwt({{QStringLiteral("alg"), QString::fromLatin1(alg)}}, claims(QStringLiteral("admin"), exp)));
            QCOMPARE(rpcDataString(o, "reason"), QStringLiteral("unsupported_algorithm"));
        }
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void scopedTokenIsRefused()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QJsonObject cl = claims(QStringLiteral("admin"), QDateTime::currentSecsSinceEpoch() + 3600);
        cl.insert(QStringLiteral("scope"), QStringLiteral("file_download"));
        cl.insert(QStringLiteral("path"), QStringLiteral("recordings/x.mp4"));
        const QJsonObject r = authWith(c, StationProcess::signJwt(hs256Header(), cl));
        QCOMPARE(rpcCode(r), -32001);
        QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("invalid_token"));
        // Any scope value, not only the download one.
        cl.insert(QStringLiteral("scope"), QStringLiteral("session"));
        QCOMPARE(rpcDataString(authWith(c, StationProcess::signJwt(hs256Header(), cl)), "reason"), QStringLiteral("invalid_token"));
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void badClaimTypesAreInvalidNotCrashes()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 3600;
        const QList<QJsonValue> badUsers{QJsonValue(42), QJsonValue(true), QJsonValue(QJsonValue::Null), QJsonValue(QJsonArray{QStringLiteral("a")}),
                                         QJsonValue(QJsonObject{{QStringLiteral("x"), 1}}), QJsonValue(QString()), QJsonValue(QString(129, QLatin1Char('u')))};
        for (const QJsonValue &u : badUsers) {
            const QJsonObject r = authWith(c, StationProcess::signJwt(hs256Header(), claims(QStringLiteral("admin"), exp, u)));
            QCOMPARE(rpcCode(r), -32001);
            QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("invalid_token"));
        }
        // Missing user_id, unknown role, non-integer exp, iat far in the future.
        QJsonObject noUser = claims(QStringLiteral("admin"), exp);
        noUser.remove(QStringLiteral("user_id"));
        QJsonObject badRole = claims(QStringLiteral("superuser"), exp);
        QJsonObject stringExp = claims(QStringLiteral("admin"), exp);
        stringExp.insert(QStringLiteral("exp"), QString::number(exp));
        QJsonObject futureIat = claims(QStringLiteral("admin"), exp);
        futureIat.insert(QStringLiteral("iat"), QDateTime::currentSecsSinceEpoch() + 600);
        for (const QJsonObject &cl : {noUser, badRole, stringExp, futureIat})
            QCOMPARE(rpcDataString(authWith(c, StationProcess::signJwt(hs256Header(), cl)), "reason"), QStringLiteral("invalid_token"));
        // The server is alive and the connection still unauthenticated.
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
        QVERIFY(m_station->isRunning());
        WsClient other;
        QVERIFY(other.open(m_station->wsUrl()));
        QVERIFY(other.authenticate(StationProcess::token(QStringLiteral("viewer"))));
    }

    void paramRules()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QString token = QString::fromLatin1(StationProcess::token(QStringLiteral("admin")));
        const QJsonObject both = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), token}, {QStringLiteral("api_key"), QStringLiteral("csk_whatever")}});
        QCOMPARE(rpcCode(both), -32602);
        QCOMPARE(rpcError(both).value(QLatin1String("message")).toString(), QStringLiteral("Invalid parameters"));
        QCOMPARE(rpcDataString(both, "rule"), QStringLiteral("exactly_one_of"));

        const QJsonObject neither = c.call(QStringLiteral("authenticate"));
        QCOMPARE(rpcCode(neither), -32602);
        QCOMPARE(rpcDataString(neither, "rule"), QStringLiteral("exactly_one_of"));
        QCOMPARE(rpcCode(c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_type"), QStringLiteral("jwt")}})), -32602);

        const QJsonObject emptyToken = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString()}});
        QCOMPARE(rpcCode(emptyToken), -32602);
        QCOMPARE(rpcDataString(emptyToken, "rule"), QStringLiteral("non_empty"));
        QCOMPARE(rpcDataString(emptyToken, "param"), QStringLiteral("auth_token"));
        const QJsonObject emptyKey = c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), QString()}});
        QCOMPARE(rpcCode(emptyKey), -32602);
        QCOMPARE(rpcDataString(emptyKey, "rule"), QStringLiteral("non_empty"));
        QCOMPARE(rpcDataString(emptyKey, "param"), QStringLiteral("api_key"));

        const QJsonObject huge = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString(8193, QLatin1Char('a'))}});
        QCOMPARE(rpcCode(huge), -32602);
        QCOMPARE(rpcDataString(huge, "param"), QStringLiteral("auth_token"));
        QCOMPARE(rpcDataString(huge, "rule"), QStringLiteral("max_bytes"));
        QCOMPARE(rpcErrorData(huge).value(QLatin1String("limit")).toInt(), 8192);
        // The limit is in bytes, not characters: 4097 two-byte characters are 8194 bytes.
        const QJsonObject hugeUtf8 = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString(4097, QChar(0x00e9))}});
        QCOMPARE(rpcDataString(hugeUtf8, "rule"), QStringLiteral("max_bytes"));

        const QJsonObject wrongType = c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), 42}});
        QCOMPARE(rpcCode(wrongType), -32602);
        QCOMPARE(rpcDataString(wrongType, "rule"), QStringLiteral("type"));

        // None of those authenticated the connection.
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void apiKeyLifecycle()
    {
        const auto [key, id] = createKey(QStringLiteral("operator"));
        QVERIFY2(key.startsWith(QLatin1String("csk_")) && key.size() == 4 + 43, qPrintable(key));
        QVERIFY(!id.isEmpty());

        // `apikey list` shows the key's id and role, never the secret.
        QString list;
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("list")}, &list), 0);
        QVERIFY2(list.contains(id), qPrintable(list));
        QVERIFY(!list.contains(key));
        QVERIFY(!list.contains(key.mid(4, 16)));
        QString line;
        for (const QString &l : list.split(QLatin1Char('\n')))
            if (l.contains(id))
                line = l;
        QVERIFY2(line.contains(QLatin1String("operator")) && line.contains(QLatin1String("active")), qPrintable(line));

        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QJsonObject r = c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), key}});
        QVERIFY2(rpcIsSuccess(r), qPrintable(QString::fromUtf8(QJsonDocument(r).toJson())));
        QCOMPARE(rpcResult(r).value(QLatin1String("role")).toString(), QStringLiteral("operator"));
        QCOMPARE(rpcResult(r).value(QLatin1String("auth_method")).toString(), QStringLiteral("api_key"));
        QCOMPARE(rpcResult(r).value(QLatin1String("user_id")).toString(), id);
        QVERIFY(kUuid.match(rpcResult(r).value(QLatin1String("session_id")).toString()).hasMatch());
        QCOMPARE(rpcResult(r).value(QLatin1String("permissions")).toArray(), (QJsonArray{QStringLiteral("view"), QStringLiteral("control")}));
        // Operator, not admin.
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_server_info"))));
        QCOMPARE(rpcCode(c.call(QStringLiteral("get_metrics"))), -32002);

        // The key is also accepted as auth_token when auth_type says so (older SDKs), and with auth_type auto.
        for (const char *type : {"api_key", "auto"}) {
            WsClient legacy;
            QVERIFY(legacy.open(m_station->wsUrl()));
            const QJsonObject lr = legacy.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), key}, {QStringLiteral("auth_type"), QString::fromLatin1(type)}});
            QVERIFY2(rpcIsSuccess(lr), type);
            QCOMPARE(rpcResult(lr).value(QLatin1String("auth_method")).toString(), QStringLiteral("api_key"));
            QCOMPARE(rpcResult(lr).value(QLatin1String("role")).toString(), QStringLiteral("operator"));
        }
        // Without auth_type, a key in auth_token is read as a JWT and fails.
        WsClient asJwt;
        QVERIFY(asJwt.open(m_station->wsUrl()));
        QCOMPARE(rpcDataString(asJwt.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), key}}), "reason"), QStringLiteral("invalid_token"));

        // Revoked while the client is connected: its next call fails, ping still works.
        QString out, err;
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("revoke"), id}, &out, &err), 0);
        const QJsonObject revoked = c.call(QStringLiteral("get_server_info"));
        QCOMPARE(rpcCode(revoked), -32001);
        QCOMPARE(rpcDataString(revoked, "reason"), QStringLiteral("api_key_revoked"));
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_camera_list")), "reason"), QStringLiteral("api_key_revoked"));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QVERIFY(c.isConnected());
        // The revoked key can no longer authenticate.
        QCOMPARE(rpcDataString(c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), key}}), "reason"), QStringLiteral("invalid_api_key"));
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("list")}, &list), 0);
        for (const QString &l : list.split(QLatin1Char('\n')))
            if (l.contains(id))
                QVERIFY2(l.contains(QLatin1String("revoked")), qPrintable(l));
        // A fresh credential works on the same connection.
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_server_info"))));
    }

    void apiKeyExpiry()
    {
        QString out, err;
        QCOMPARE(m_station->runAdmin({QStringLiteral("apikey"), QStringLiteral("create"), QStringLiteral("--role"), QStringLiteral("admin"),
                                      QStringLiteral("--ttl"), QStringLiteral("2s")}, &out, &err), 0);
        const QString key = out.trimmed();
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QJsonObject r = c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), key}});
        QVERIFY2(rpcIsSuccess(r), qPrintable(QString::fromUtf8(QJsonDocument(r).toJson())));
        const QString expiresAt = rpcResult(r).value(QLatin1String("expires_at")).toString();
        QVERIFY2(kIsoMs.match(expiresAt).hasMatch(), qPrintable(expiresAt));
        const QDateTime end = QDateTime::fromString(expiresAt, Qt::ISODateWithMs);
        QVERIFY(end > QDateTime::currentDateTimeUtc());
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_metrics"))));
        while (QDateTime::currentDateTimeUtc() < end.addMSecs(250))
            QTest::qWait(50);
        for (const char *m : {"get_metrics", "get_camera_list"}) {
            const QJsonObject e = c.call(QString::fromLatin1(m));
            QCOMPARE(rpcCode(e), -32001);
            QCOMPARE(rpcDataString(e, "reason"), QStringLiteral("api_key_expired"));
            QCOMPARE(rpcDataString(e, "expired_at"), expiresAt);
        }
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QCOMPARE(rpcDataString(c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), key}}), "reason"), QStringLiteral("invalid_api_key"));
    }

    void typHeaderMustBeJwt()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 3600;
        const QJsonObject bad = authWith(c, StationProcess::signJwt({{QStringLiteral("alg"), QStringLiteral("HS256")}, {QStringLiteral("typ"), QStringLiteral("JWS")}},
                                                                    claims(QStringLiteral("admin"), exp)));
        QCOMPARE(rpcDataString(bad, "reason"), QStringLiteral("invalid_token"));
        // typ is optional.
        QVERIFY(rpcIsSuccess(authWith(c, StationProcess::signJwt({{QStringLiteral("alg"), QStringLiteral("HS256")}}, claims(QStringLiteral("viewer"), exp)))));
        // nbf in the future is honoured.
        QJsonObject notYet = claims(QStringLiteral("admin"), exp);
        notYet.insert(QStringLiteral("nbf"), QDateTime::currentSecsSinceEpoch() + 600);
        QCOMPARE(rpcDataString(authWith(c, StationProcess::signJwt(hs256Header(), notYet)), "reason"), QStringLiteral("invalid_token"));
        QCOMPARE(rpcCode(c.call(QStringLiteral("get_metrics"))), -32002);  // still the viewer from above
    }

    void unknownApiKey()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        for (const QString &k : {QStringLiteral("csk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), QStringLiteral("nonsense")}) {
            const QJsonObject r = c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), k}});
            QCOMPARE(rpcCode(r), -32001);
            QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("invalid_api_key"));
        }
        const QJsonObject tooLong = c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), QString(257, QLatin1Char('k'))}});
        QCOMPARE(rpcCode(tooLong), -32602);
        QCOMPARE(rpcDataString(tooLong, "param"), QStringLiteral("api_key"));
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
    }

    void expiryIsEnforcedOnEveryCall()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 2;
        const QJsonObject r = authWith(c, StationProcess::signJwt(hs256Header(), claims(QStringLiteral("admin"), exp)));
        QVERIFY(rpcIsSuccess(r));
        QCOMPARE(rpcResult(r).value(QLatin1String("expires_at")).toString(), iso(exp));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_metrics"))));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_subscription_stats"))));

        sleepPast(exp);
        // Every method except ping/authenticate reports the expiry, not only the first call after it.
        for (const char *m : {"get_metrics", "get_server_info", "get_camera_list", "subscribe_events"}) {
            const QJsonObject e = c.call(QString::fromLatin1(m), {{QStringLiteral("topics"), QJsonArray{QStringLiteral("camera_status_update")}}});
            QCOMPARE(rpcCode(e), -32001);
            QVERIFY2(rpcDataString(e, "reason") == QLatin1String("token_expired"), qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(m), rpcDataString(e, "reason"))));
            QCOMPARE(rpcDataString(e, "expired_at"), iso(exp));
        }
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));
        QVERIFY(c.isConnected());

        // Re-authenticating with a fresh credential restores service (and subscriptions).
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_metrics"))));
        const QJsonArray topics = rpcResult(c.call(QStringLiteral("get_subscription_stats"))).value(QLatin1String("client_topics")).toArray();
        QVERIFY(topics.contains(QStringLiteral("camera_status_update")));
    }

    void failedReauthenticationKeepsOldRole()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QJsonObject first = authWith(c, StationProcess::token(QStringLiteral("admin"), 3600, QStringLiteral("root")));
        QVERIFY(rpcIsSuccess(first));
        const QString sessionId = rpcResult(first).value(QLatin1String("session_id")).toString();
        const QByteArray forged = StationProcess::signJwt(hs256Header(), claims(QStringLiteral("viewer"), QDateTime::currentSecsSinceEpoch() + 60),
                                                          QByteArrayLiteral("wrong-secret-wrong-secret-wrong-secret!!"));
        QCOMPARE(rpcCode(authWith(c, forged)), -32001);
        QCOMPARE(rpcCode(c.call(QStringLiteral("authenticate"), {{QStringLiteral("api_key"), QStringLiteral("csk_unknown")}})), -32001);
        QCOMPARE(rpcCode(c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString()}})), -32602);
        // Still admin.
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_metrics"))));
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_storage_info"))));

        // A successful re-authentication replaces the role (here: a lower one).
        const QJsonObject lower = authWith(c, StationProcess::token(QStringLiteral("viewer")));
        QVERIFY(rpcIsSuccess(lower));
        QVERIFY(rpcResult(lower).value(QLatin1String("session_id")).toString() != sessionId);
        const QJsonObject denied = c.call(QStringLiteral("get_metrics"));
        QCOMPARE(rpcCode(denied), -32002);
        QCOMPARE(rpcDataString(denied, "have_role"), QStringLiteral("viewer"));
    }

    void authTokenInOtherParamsNeverAuthenticates()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        const QString token = QString::fromLatin1(StationProcess::token(QStringLiteral("admin")));
        for (const char *m : {"get_server_info", "get_metrics", "get_camera_list", "subscribe_events", "ping"}) {
            const QJsonObject r = c.call(QString::fromLatin1(m), {{QStringLiteral("auth_token"), token}, {QStringLiteral("api_key"), token},
                                                                  {QStringLiteral("topics"), QJsonArray{QStringLiteral("camera_status_update")}}});
            if (QLatin1String(m) == QLatin1String("ping")) {
                QCOMPARE(r.value(QLatin1String("result")).toString(), QStringLiteral("pong"));
                continue;
            }
            QCOMPARE(rpcCode(r), -32001);
            QCOMPARE(rpcDataString(r, "reason"), QStringLiteral("not_authenticated"));
        }
        // Nothing stuck: the next plain call is still unauthenticated.
        QCOMPARE(rpcDataString(c.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));

        // And on an authenticated viewer connection, an admin token in params does not raise the role.
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("viewer"))));
        QCOMPARE(rpcCode(c.call(QStringLiteral("get_metrics"), {{QStringLiteral("auth_token"), token}})), -32002);
    }

    void bruteForceLimit()
    {
        // Its own station: this poisons 127.0.0.1 for a minute.
        StationProcess station;
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const QByteArray forged = StationProcess::signJwt(hs256Header(), claims(QStringLiteral("admin"), QDateTime::currentSecsSinceEpoch() + 60),
                                                          QByteArrayLiteral("attacker-secret-attacker-secret-attacker"));
        // Ten failures (on an authenticated connection: they count all the same).
        for (int i = 0; i < 10; ++i) {
            const QJsonObject r = authWith(c, forged);
            QVERIFY2(rpcCode(r) == -32001, qPrintable(QStringLiteral("attempt %1: %2").arg(i + 1).arg(rpcCode(r))));
        }
        // The 11th, even with a valid token, is refused.
        const QJsonObject limited = authWith(c, StationProcess::token(QStringLiteral("operator")));
        QCOMPARE(rpcCode(limited), -32040);
        QCOMPARE(rpcError(limited).value(QLatin1String("message")).toString(), QStringLiteral("Rate limited"));
        const qint64 retry = rpcErrorData(limited).value(QLatin1String("retry_after_ms")).toInteger(-1);
        QVERIFY2(retry > 0 && retry <= 60000, qPrintable(QString::number(retry)));
        // The old authentication is untouched, and other methods are not limited.
        QVERIFY(rpcIsSuccess(c.call(QStringLiteral("get_metrics"))));
        QCOMPARE(c.result(QStringLiteral("ping")).toString(), QStringLiteral("pong"));

        // The limit is per address: a new connection (and a reconnect) from 127.0.0.1 is limited too.
        WsClient other;
        QVERIFY(other.open(station.wsUrl()));
        QCOMPARE(rpcCode(authWith(other, StationProcess::token(QStringLiteral("viewer")))), -32040);
        c.close();
        other.close();
        QTest::qWait(200);
        WsClient reconnect;
        QVERIFY(reconnect.open(station.wsUrl()));
        QCOMPARE(rpcCode(authWith(reconnect, StationProcess::token(QStringLiteral("viewer")))), -32040);
        QCOMPARE(rpcDataString(reconnect.call(QStringLiteral("get_server_info")), "reason"), QStringLiteral("not_authenticated"));
        station.stop();
        QCOMPARE(station.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
