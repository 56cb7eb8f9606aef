#pragma once

#include "auth/Role.h"

#include <QDateTime>
#include <QString>

namespace station::auth {

// Who a connection or HTTP request is, after a successful credential check.
struct Identity {
    QString userId;        // JWT user_id, or the API key's id
    Role role = Role::None;
    QDateTime expiresAt;   // UTC; credential end
    QString authMethod;    // "jwt" or "api_key"
    QString apiKeyId;      // set for api_key, so revocation can be rechecked on every call
    bool valid() const { return role != Role::None; }
};

// Outcome of a credential check. `reason` uses API.md §2.5 vocabulary:
// invalid_token, unsupported_algorithm, token_expired, invalid_api_key,
// api_key_expired, api_key_revoked.
struct AuthResult {
    bool ok = false;
    Identity identity;
    QString reason;
    QDateTime expiredAt;  // set with token_expired / api_key_expired
    static AuthResult failure(const QString &reason, const QDateTime &expiredAt = {})
    {
        AuthResult r;
        r.reason = reason;
        r.expiredAt = expiredAt;
        return r;
    }
};

} // namespace station::auth
