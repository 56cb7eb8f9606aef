#include "auth/JwtService.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QMessageAuthenticationCode>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>

#include <jwt.h>

#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

namespace station::auth {

namespace {

constexpr qsizetype kMaxTokenBytes = 8192;
constexpr qsizetype kMaxUserIdChars = 128;
constexpr qint64 kIatSkewSeconds = 60;
const QLatin1String kDownloadScope("file_download");
const QLatin1String kStreamScope("stream_read");

struct JwtDeleter { void operator()(jwt_t *j) const { jwt_free(j); } };
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

AuthResult invalid() { return AuthResult::failure(QStringLiteral("invalid_token")); }

bool isBase64Url(const QByteArray &part)
{
    // Compact JWS parts are unpadded base64url; anything else (padding, '+', '/', NUL) is malformed.
    for (char c : part) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

// True when the top-level object of `json` names a member twice (also when
// spelt differently, e.g. "role" and "r\u006fle"). QJsonDocument silently keeps
// the last one, and another parser in front of us may keep the first: a token
// whose claims two parsers read differently is refused.
bool hasDuplicateTopLevelKeys(const QByteArray &json)
{
    QSet<QString> seen;
    int depth = 0;
    bool expectKey = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (c == '"') {
            const qsizetype start = i;
            for (++i; i < json.size() && json.at(i) != '"'; ++i) {
                if (json.at(i) == '\\')
                    ++i;
            }
            if (depth == 1 && expectKey) {
                const QJsonDocument key = QJsonDocument::fromJson('[' + json.mid(start, i - start + 1) + ']');
                const QString name = key.array().first().toString();
                if (seen.contains(name))
                    return true;
                seen.insert(name);
                expectKey = false;
            }
        } else if (c == '{' || c == '[') {
            ++depth;
            expectKey = depth == 1 && c == '{';
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectKey = true;
        }
    }
    return false;
}

std::optional<QJsonObject> decodeJsonPart(const QByteArray &part)
{
    if (part.isEmpty() || !isBase64Url(part)) return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
        part, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) return std::nullopt;
    if (hasDuplicateTopLevelKeys(*decoded)) return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) return std::nullopt;
    return doc.object();
}

// "Integer" per API.md §2.7: a JSON number with an integral value (60.0 counts).
// Bounded to ±2^53 so the double → qint64 conversion is exact.
std::optional<qint64> integerClaim(const QJsonValue &v)
{
    if (!v.isDouble()) return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740992.0) return std::nullopt;
    return qint64(d);
}

// Signing is a fixed header, the claims and one HMAC-SHA256: done with Qt's
// HMAC directly because it is on the hot path (every download_url of a file
// list carries a token); verification stays with libjwt.
QByteArray mint(const QByteArray &secret, const QList<std::pair<const char *, QString>> &strings,
                const QList<std::pair<const char *, qint64>> &ints)
{
    if (secret.isEmpty()) return {};
    static const QByteArray header =
        QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})").toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QJsonObject claims;
    for (const auto &[name, value] : strings)
        claims.insert(QLatin1String(name), value);
    for (const auto &[name, value] : ints)
        claims.insert(QLatin1String(name), double(value));
    const QByteArray signingInput = header + '.'
        + QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return signingInput + '.'
        + QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256)
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Shared by both token kinds. `claims` receives the verified payload; the
// caller applies the scope rule. Order: shape → header (alg, typ) →
// signature → claims → time, so a forged token never reaches claim parsing
// with its claims trusted.
AuthResult verifyCommon(const QByteArray &secret, const QByteArray &token, const QDateTime &now, qint64 maxLifetimeSeconds,
                        QJsonObject *claims)
{
    if (token.isEmpty() || token.size() > kMaxTokenBytes || secret.isEmpty()) return invalid();
    const QList<QByteArray> parts = token.split('.');
    // An empty signature is allowed this far so that "alg":"none" tokens get their own reason.
    if (parts.size() != 3 || !isBase64Url(parts[2])) return invalid();

    const auto header = decodeJsonPart(parts[0]);
    if (!header) return invalid();
    // libjwt would accept HS384/HS512 with the same key, and "none": pin the algorithm first.
    if (header->value(QLatin1String("alg")) != QJsonValue(QStringLiteral("HS256")))
        return AuthResult::failure(QStringLiteral("unsupported_algorithm"));
    if (header->contains(QLatin1String("typ")) && header->value(QLatin1String("typ")) != QJsonValue(QStringLiteral("JWT")))
        return invalid();
    const auto payload = decodeJsonPart(parts[1]);
    if (!payload || parts[2].isEmpty()) return invalid();

    // Signature (constant-time compare inside libjwt).
    jwt_t *raw = nullptr;
    const int rc = jwt_decode(&raw, token.constData(), reinterpret_cast<const unsigned char *>(secret.constData()),
                              int(secret.size()));
    JwtPtr jwt(raw);
    if (rc != 0 || !jwt || jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return invalid();

    // Claims, read from our own parse of the now-authenticated payload.
    const QJsonValue userId = payload->value(QLatin1String("user_id"));
    if (!userId.isString() || userId.toString().isEmpty() || userId.toString().size() > kMaxUserIdChars)
        return invalid();
    const QJsonValue roleValue = payload->value(QLatin1String("role"));
    const Role role = roleValue.isString() ? roleFromName(roleValue.toString()) : Role::None;
    if (role == Role::None) return invalid();
    const auto iat = integerClaim(payload->value(QLatin1String("iat")));
    const auto exp = integerClaim(payload->value(QLatin1String("exp")));
    if (!iat || !exp) return invalid();
    std::optional<qint64> nbf;
    if (payload->contains(QLatin1String("nbf"))) {
        nbf = integerClaim(payload->value(QLatin1String("nbf")));
        if (!nbf) return invalid();
    }

    const qint64 nowSecs = now.toSecsSinceEpoch();
    if (*iat > nowSecs + kIatSkewSeconds) return invalid();
    if (nbf && *nbf > nowSecs) return invalid();
    const QDateTime expiresAt = QDateTime::fromSecsSinceEpoch(*exp, Qt::UTC);
    if (*exp <= nowSecs) return AuthResult::failure(QStringLiteral("token_expired"), expiresAt);
    // A correctly signed token valid for decades (exp = 2^53) is as good as a leaked secret.
    if (*exp - nowSecs > maxLifetimeSeconds) return invalid();

    AuthResult r;
    r.ok = true;
    r.identity.userId = userId.toString();
    r.identity.role = role;
    r.identity.expiresAt = expiresAt;
    r.identity.authMethod = QStringLiteral("jwt");
    *claims = *payload;
    return r;
}

} // namespace

JwtService::JwtService(QByteArray secret) : m_secret(std::move(secret)) {}

AuthResult JwtService::verifySession(const QByteArray &token, const QDateTime &now) const
{
    QJsonObject claims;
    AuthResult r = verifyCommon(m_secret, token, now, m_maxLifetimeSeconds, &claims);
    // Download tokens (and any other scoped token) must not open a session.
    if (r.ok && claims.contains(QLatin1String("scope"))) return invalid();
    return r;
}

AuthResult JwtService::verifyDownload(const QByteArray &token, const QString &path, const QDateTime &now) const
{
    QJsonObject claims;
    AuthResult r = verifyCommon(m_secret, token, now, m_maxLifetimeSeconds, &claims);
    if (!r.ok) return r;
    const QJsonValue tokenPath = claims.value(QLatin1String("path"));
    if (claims.value(QLatin1String("scope")) != QJsonValue(kDownloadScope) || !tokenPath.isString())
        return invalid();
    // A genuine download token for another file: authenticated but not authorized (HTTP 403).
    if (tokenPath.toString() != path) return AuthResult::failure(QStringLiteral("forbidden"));
    const QJsonValue cid = claims.value(QLatin1String("cid"));
    if (!cid.isUndefined() && (!cid.isString() || cid.toString().isEmpty())) return invalid();
    r.identity.apiKeyId = cid.toString();  // the caller rechecks it: a revoked key's URLs stop working
    return r;
}

AuthResult JwtService::verifyStream(const QByteArray &token, const QString &path, const QDateTime &now) const
{
    QJsonObject claims;
    AuthResult r = verifyCommon(m_secret, token, now, m_maxLifetimeSeconds, &claims);
    if (!r.ok) return r;
    const QJsonValue tokenPath = claims.value(QLatin1String("path"));
    if (claims.value(QLatin1String("scope")) != QJsonValue(kStreamScope) || !tokenPath.isString())
        return invalid();
    if (tokenPath.toString() != path) return AuthResult::failure(QStringLiteral("forbidden"));
    const QJsonValue cid = claims.value(QLatin1String("cid"));
    if (!cid.isUndefined() && (!cid.isString() || cid.toString().isEmpty())) return invalid();
    r.identity.apiKeyId = cid.toString();
    return r;
}

QByteArray JwtService::mintSession(const QString &userId, Role role, qint64 ttlSeconds, const QDateTime &now) const
{
    if (userId.isEmpty() || role == Role::None) return {};
    const qint64 iat = now.toSecsSinceEpoch();
    return mint(m_secret, {{"user_id", userId}, {"role", roleName(role)}}, {{"iat", iat}, {"exp", iat + ttlSeconds}});
}

QByteArray JwtService::mintDownload(const QString &userId, Role role, const QString &path, qint64 ttlSeconds,
                                    const QDateTime &notAfter, const QDateTime &now, const QString &credentialId) const
{
    return mintScoped(kDownloadScope, userId, role, path, ttlSeconds, notAfter, now, credentialId);
}

QByteArray JwtService::mintStream(const QString &userId, Role role, const QString &path, qint64 ttlSeconds,
                                  const QDateTime &notAfter, const QDateTime &now, const QString &credentialId) const
{
    return mintScoped(kStreamScope, userId, role, path, ttlSeconds, notAfter, now, credentialId);
}

QByteArray JwtService::mintScoped(QLatin1String scope, const QString &userId, Role role, const QString &path, qint64 ttlSeconds,
                                  const QDateTime &notAfter, const QDateTime &now, const QString &credentialId) const
{
    if (userId.isEmpty() || role == Role::None || path.isEmpty()) return {};
    const qint64 iat = now.toSecsSinceEpoch();
    qint64 exp = iat + ttlSeconds;
    // Seconds are truncated, so exp never lands after the issuing credential's end.
    if (notAfter.isValid()) exp = std::min(exp, notAfter.toSecsSinceEpoch());
    QList<std::pair<const char *, QString>> strings{
        {"user_id", userId}, {"role", roleName(role)}, {"scope", QString(scope)}, {"path", path}};
    if (!credentialId.isEmpty())
        strings.append({"cid", credentialId});
    return mint(m_secret, strings, {{"iat", iat}, {"exp", exp}});
}

} // namespace station::auth
