#pragma once

#include "events/EventBus.h"
#include "rpc/ConnectionStats.h"
#include "net/ConnectionLimits.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace station::config { class Config; }
namespace station::health { class MetricsRegistry; }
namespace station::rpc { class Dispatcher; class RpcSession; }

namespace station::net {

// The API listener on server.host:server.port (default 0.0.0.0:8002). One
// QTcpServer accepts every connection and peeks at the request head: upgrades
// on the WebSocket path go to a QWebSocketServer through handleConnection(),
// everything else (file downloads) to the HTTP handler. It owns the
// per-connection limits of API.md §15 (message size, connection counts,
// outbound queue, write timeout, ping/pong keepalive) and delivers
// notifications to subscribed sessions.
class ApiServer : public QObject, public rpc::ConnectionStats
{
    Q_OBJECT
public:
    ApiServer(const config::Config &config, rpc::Dispatcher *dispatcher, events::EventBus *bus,
              health::MetricsRegistry *metrics, QObject *parent = nullptr);
    ~ApiServer() override;

    bool listen(QString *error);
    bool isListening() const;
    quint16 port() const;

    // Receives non-WebSocket connections with nothing read yet.
    std::function<void(QTcpSocket *)> adoptHttp;
    // Renders host-dependent event params for a session (placeholder → host).
    std::function<QString(const rpc::RpcSession *)> hostFor;
    // Makes a host-dependent event for one connection (UrlBuilder::personalize); else hostFor is used.
    std::function<QByteArray(const QByteArray &, const rpc::RpcSession *)> personalize;

    int connectionCount() const override { return int(m_connections.size()); }
    int authenticatedCount() const override;
    QList<rpc::RpcSession *> sessions() const override;
    quint64 notificationsSent() const override { return m_notificationsSent; }
    QMetaObject::Connection onConnectionCountChanged(QObject *context, std::function<void()> changed) override
    {
        return connect(this, &ApiServer::connectionCountChanged, context, std::move(changed));
    }

    void closeAll(int code, const QString &reason);  // shutdown: 1001 to everyone
    void stopListening();

Q_SIGNALS:
    void connectionCountChanged();

private:
    struct Connection;
    struct PendingUpgrade {
        QPointer<QTcpSocket> socket;
        QString hostHeader;
        QHostAddress peer;
        quint16 peerPort = 0;
    };

    void onNewTcpConnection();
    void routeSocket(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QByteArray &extraHeaders = {});
    void onNewWebSocket();
    void dropConnection(Connection *c);
    void sendTo(Connection *c, const QByteArray &text);
    void housekeeping();
    void resumeAcceptIfFree();
    qint64 readBufferBytes() const;
    qint64 budgetOf(const Connection *c) const;  // outbound budget of this connection
    void countRefusal(const char *reason, double n = 1);  // camera_station_connections_refused_total
    void deliver(const events::Event &event);
    int connectionsFrom(const QHostAddress &peer) const;
    // Back-pressure: past the outbound budget the connection's socket is not read
    // (its signals are blocked, so QWebSocket neither parses requests nor answers pings).
    void pause(Connection *c);
    void resumeDrained();
    void resume(Connection *c);
    void scheduleDrain(Connection *c);
    void drainInbox(Connection *c);
    void abortConnection(Connection *c, const QString &why);
    void trackSocket(QTcpSocket *socket);
    void untrackSocket(QTcpSocket *socket);

    const config::Config &m_config;
    rpc::Dispatcher *m_dispatcher;
    health::MetricsRegistry *m_metrics;
    QTcpServer *m_tcp = nullptr;
    QWebSocketServer *m_ws = nullptr;
    QList<PendingUpgrade> m_pendingUpgrades;
    struct TrackedSocket {
        QPointer<QTcpSocket> socket;
        QString key;
    };
    QHash<QTcpSocket *, TrackedSocket> m_sockets;  // every accepted socket on this port → its address key
    QObject m_tracker;                            // context of the sockets' destroyed connections
    bool m_acceptPaused = false;
    bool m_resumeCheckQueued = false;
    bool m_trimHeap = false;
    QSet<Connection *> m_dropped;  // dropped, deleted on the next loop turn
    int m_ticksSinceTrim = 0;
    quint64 m_refusedAtAccept = 0;
    QHash<QString, int> m_socketsPerAddress;
    QHash<QTcpSocket *, bool> m_httpSockets;     // adopted by the HTTP side (for http.max_connections)
    QTimer m_resumeTimer;                        // polls paused connections for drain
    ConnectionLimits m_limits;
    QHash<QWebSocket *, Connection *> m_connections;
    QTimer m_housekeeping;
    QElapsedTimer m_clock;
    quint64 m_connectionCounter = 0;
    quint64 m_notificationsSent = 0;
    // cached config
    QString m_wsPath;
    QStringList m_allowedOrigins;
    int m_maxConnections, m_maxPerAddress;
    qint64 m_maxMessage, m_maxOutbound, m_writeTimeoutMs, m_pingIntervalMs, m_pongTimeoutMs, m_authTimeoutMs;
};

} // namespace station::net
