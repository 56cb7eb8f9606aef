#pragma once

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QTest>

// Small readers for JSON-RPC responses, shared by the integration tests.
namespace station::test {

// Compact JSON of an object or array, for failure messages.
inline QByteArray compact(const QJsonValue &v)
{
    return v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
                        : QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
}

// Polls pred() while the event loop runs, until it holds or timeoutMs pass.
template <typename Pred>
bool waitFor(Pred pred, int timeoutMs, int stepMs = 20)
{
    QElapsedTimer t;
    t.start();
    while (!pred()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QTest::qWait(stepMs);
    }
    return true;
}

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
