#include "rpc/RpcError.h"

#include <QJsonArray>

namespace station::rpc {

QString RpcError::messageFor(int code)
{
    switch (code) {
    case ErrorCode::ParseError: return QStringLiteral("Parse error");
    case ErrorCode::InvalidRequest: return QStringLiteral("Invalid Request");
    case ErrorCode::MethodNotFound: return QStringLiteral("Method not found");
    case ErrorCode::InvalidParams: return QStringLiteral("Invalid parameters");
    case ErrorCode::Internal: return QStringLiteral("Internal server error");
    case ErrorCode::AuthFailed: return QStringLiteral("Authentication failed or token expired");
    case ErrorCode::PermissionDenied: return QStringLiteral("Permission denied");
    case ErrorCode::NotFound: return QStringLiteral("Not found");
    case ErrorCode::InvalidState: return QStringLiteral("Invalid state");
    case ErrorCode::Unsupported: return QStringLiteral("Unsupported");
    case ErrorCode::RateLimited: return QStringLiteral("Rate limited");
    case ErrorCode::DependencyFailed: return QStringLiteral("Dependency failed");
    default: return QStringLiteral("Internal server error");
    }
}

QJsonObject RpcError::toJson() const
{
    return QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message()}, {QStringLiteral("data"), data}};
}

static RpcError make(int code, QJsonObject data)
{
    RpcError e;
    e.code = code;
    e.data = std::move(data);
    return e;
}

RpcError RpcError::parseError(const QString &hint)
{
    return make(ErrorCode::ParseError, {{QStringLiteral("hint"), hint}});
}

RpcError RpcError::invalidRequest(const QString &hint)
{
    return make(ErrorCode::InvalidRequest, {{QStringLiteral("hint"), hint}});
}

RpcError RpcError::methodNotFound(const QString &method)
{
    return make(ErrorCode::MethodNotFound, {{QStringLiteral("hint"), QStringLiteral("unknown method '%1'").arg(method.left(64))}});
}

RpcError RpcError::invalidParams(const QString &param, const QString &rule, const QString &hint, const QJsonValue &limit)
{
    QJsonObject d{{QStringLiteral("param"), param}, {QStringLiteral("rule"), rule}};
    if (!hint.isEmpty())
        d.insert(QStringLiteral("hint"), hint);
    if (!limit.isUndefined() && !limit.isNull())
        d.insert(QStringLiteral("limit"), limit);
    return make(ErrorCode::InvalidParams, d);
}

RpcError RpcError::internal(const QString &requestId)
{
    return make(ErrorCode::Internal, {{QStringLiteral("request_id"), requestId}});
}

RpcError RpcError::authFailed(const QString &reason, const QDateTime &expiredAt)
{
    QJsonObject d{{QStringLiteral("reason"), reason}};
    if (expiredAt.isValid())
        d.insert(QStringLiteral("expired_at"), isoTime(expiredAt));
    return make(ErrorCode::AuthFailed, d);
}

RpcError RpcError::permissionDenied(const QString &requiredRole, const QString &haveRole)
{
    return make(ErrorCode::PermissionDenied, {{QStringLiteral("required_role"), requiredRole}, {QStringLiteral("have_role"), haveRole}});
}

RpcError RpcError::notFound(const QString &resource, const QString &id)
{
    return make(ErrorCode::NotFound, {{QStringLiteral("resource"), resource}, {QStringLiteral("id"), id}});
}

RpcError RpcError::invalidState(const QString &state, const QStringList &allowedStates)
{
    return make(ErrorCode::InvalidState, {{QStringLiteral("state"), state}, {QStringLiteral("allowed_states"), QJsonArray::fromStringList(allowedStates)}});
}

RpcError RpcError::unsupported(const QString &feature)
{
    return make(ErrorCode::Unsupported, {{QStringLiteral("feature"), feature}});
}

RpcError RpcError::rateLimited(qint64 retryAfterMs)
{
    return make(ErrorCode::RateLimited, {{QStringLiteral("retry_after_ms"), retryAfterMs}});
}

RpcError RpcError::dependency(const QString &dependency, const QString &detail)
{
    return make(ErrorCode::DependencyFailed, {{QStringLiteral("dependency"), dependency}, {QStringLiteral("detail"), detail}});
}

} // namespace station::rpc
