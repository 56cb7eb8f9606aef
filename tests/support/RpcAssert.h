#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

// Small readers for JSON-RPC responses, shared by the integration tests.
namespace station::test {

inline QJsonObject rpcError(const QJsonValue &response)
{
    return response.toObject().value(QLatin1String("error")).toObject();
}

// The error code of a response; 0 when it is a success (or not a response).
inline int rpcCode(const QJsonValue &response)
{
    return rpcError(response).value(QLatin1String("code")).toInt(0);
}

inline QJsonObject rpcErrorData(const QJsonValue &response)
{
    return rpcError(response).value(QLatin1String("data")).toObject();
}

inline QString rpcDataString(const QJsonValue &response, const char *member)
{
    return rpcErrorData(response).value(QLatin1String(member)).toString();
}

inline QJsonObject rpcResult(const QJsonValue &response)
{
    return response.toObject().value(QLatin1String("result")).toObject();
}

inline bool rpcIsSuccess(const QJsonValue &response)
{
    return response.toObject().contains(QLatin1String("result"));
}

} // namespace station::test
