#pragma once

#include "auth/Identity.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace station::auth {

// HS256 JSON Web Tokens (API.md §2.6 and §13.2). Signatures are computed and
// verified with libjwt; header and claim rules (alg exactly HS256, typ,
// user_id, role, iat, exp, nbf, scope) are checked here because libjwt 1.10
// does not validate claims.
class JwtService
{
public:
    explicit JwtService(QByteArray secret);

    // security.max_token_lifetime_s: a token whose exp lies further than this past
    // now is refused (invalid_token), however it is signed. Default 30 days.
    static constexpr qint64 kDefaultMaxLifetimeSeconds = 30LL * 86400;
    void setMaxLifetimeSeconds(qint64 seconds) { m_maxLifetimeSeconds = seconds; }
    qint64 maxLifetimeSeconds() const { return m_maxLifetimeSeconds; }

    // A session token for `authenticate` and `Authorization: Bearer`.
    // Tokens that carry a `scope` claim are refused (reason invalid_token).
    AuthResult verifySession(const QByteArray &token, const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    // A download token from a download_url's ?token=. `path` is
    // "recordings/<filename>" or "snapshots/<filename>". A valid token for
    // another path gives ok=false with reason "forbidden" (HTTP 403); any
    // other failure is a 401 reason.
    AuthResult verifyDownload(const QByteArray &token, const QString &path,
                              const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    QByteArray mintSession(const QString &userId, Role role, qint64 ttlSeconds,
                           const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    // Expires at min(now + ttl, notAfter) when notAfter is valid. A non-empty
    // credentialId (the issuing API key) goes into the token as "cid";
    // verifyDownload() returns it as identity.apiKeyId so the caller can refuse
    // the URL once that key is revoked.
    QByteArray mintDownload(const QString &userId, Role role, const QString &path, qint64 ttlSeconds,
                            const QDateTime &notAfter, const QDateTime &now = QDateTime::currentDateTimeUtc(),
                            const QString &credentialId = {}) const;

    // Read access to one MediaMTX path (a camera ID), carried in the stream URLs the
    // API hands out and checked by StreamAccess when MediaMTX asks (scope
    // "stream_read"; same cid rule as downloads).
    QByteArray mintStream(const QString &userId, Role role, const QString &path, qint64 ttlSeconds,
                          const QDateTime &notAfter, const QDateTime &now = QDateTime::currentDateTimeUtc(),
                          const QString &credentialId = {}) const;
    AuthResult verifyStream(const QByteArray &token, const QString &path, const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

private:
    QByteArray mintScoped(QLatin1String scope, const QString &userId, Role role, const QString &path, qint64 ttlSeconds,
                          const QDateTime &notAfter, const QDateTime &now, const QString &credentialId) const;

    QByteArray m_secret;
    qint64 m_maxLifetimeSeconds = kDefaultMaxLifetimeSeconds;
};

} // namespace station::auth
