#pragma once

#include "common/IsoTime.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace station::rpc {

// The error catalog of API.md §2.5: one fixed message per code, details in data.
namespace ErrorCode {
inline constexpr int ParseError = -32700;
inline constexpr int InvalidRequest = -32600;
inline constexpr int MethodNotFound = -32601;
inline constexpr int InvalidParams = -32602;
inline constexpr int Internal = -32603;
inline constexpr int AuthFailed = -32001;
inline constexpr int PermissionDenied = -32002;
inline constexpr int NotFound = -32010;
inline constexpr int InvalidState = -32020;
inline constexpr int Unsupported = -32030;
inline constexpr int RateLimited = -32040;
inline constexpr int DependencyFailed = -32050;
} // namespace ErrorCode

struct RpcError {
    int code = ErrorCode::Internal;
    QJsonObject data;

    QString message() const { return messageFor(code); }
    QJsonObject toJson() const;
    static QString messageFor(int code);

    static RpcError parseError(const QString &hint);
    static RpcError invalidRequest(const QString &hint);
    static RpcError methodNotFound(const QString &method);
    static RpcError invalidParams(const QString &param, const QString &rule, const QString &hint = {}, const QJsonValue &limit = {});
    static RpcError internal(const QString &requestId);
    static RpcError authFailed(const QString &reason, const QDateTime &expiredAt = {});
    static RpcError permissionDenied(const QString &requiredRole, const QString &haveRole);
    static RpcError notFound(const QString &resource, const QString &id);
    static RpcError invalidState(const QString &state, const QStringList &allowedStates);
    static RpcError unsupported(const QString &feature);
    static RpcError rateLimited(qint64 retryAfterMs);
    static RpcError dependency(const QString &dependency, const QString &detail);
};

// The contract's timestamp format (§2.7), kept under this name for the handlers.
using common::isoTime;

} // namespace station::rpc
