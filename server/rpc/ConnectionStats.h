#pragma once

#include <QList>
#include <QMetaObject>
#include <QtGlobal>

#include <functional>

class QObject;

namespace station::rpc {

class RpcSession;

// The connection figures API handlers and the UI read (get_metrics,
// get_subscription_stats, the Status page), without knowing the transport
// that carries the sessions. net::ApiServer implements it.
class ConnectionStats
{
public:
    virtual ~ConnectionStats() = default;

    virtual int connectionCount() const = 0;
    virtual int authenticatedCount() const = 0;
    virtual quint64 notificationsSent() const = 0;
    virtual QList<RpcSession *> sessions() const = 0;
    // Calls `changed` whenever connectionCount() changes, until `context` is destroyed.
    virtual QMetaObject::Connection onConnectionCountChanged(QObject *context, std::function<void()> changed) = 0;

protected:
    ConnectionStats() = default;
    ConnectionStats(const ConnectionStats &) = default;
    ConnectionStats &operator=(const ConnectionStats &) = default;
};

} // namespace station::rpc
