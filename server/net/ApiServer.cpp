#include "net/ApiServer.h"

#include "config/Config.h"
#include "events/Topics.h"
#include "health/MetricsRegistry.h"
#include "net/HttpRequest.h"
#include "rpc/Dispatcher.h"
#include "rpc/RpcError.h"
#include "rpc/RpcSession.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

Q_LOGGING_CATEGORY(lcWs, "station.ws")

namespace station::net {

namespace {
const char kRoutedProperty[] = "station_routed";
constexpr int kHeadTimeoutMs = 10000;
constexpr qint64 kCloseGraceMs = 2000;
} // namespace

struct ApiServer::Connection {
    QWebSocket *ws = nullptr;
    QPointer<QTcpSocket> tcp;
    rpc::RpcSession *session = nullptr;
    qint64 lastActivityMs = 0;
    qint64 lastPingMs = 0;
    qint64 lastWriteProgressMs = 0;
    qint64 closingSinceMs = -1;
    bool dropped = false;  // disconnected; deleted on the next event-loop turn
};

ApiServer::ApiServer(const config::Config &config, rpc::Dispatcher *dispatcher, events::EventBus *bus,
                     health::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_config(config), m_dispatcher(dispatcher), m_metrics(metrics)
{
    m_clock.start();
    m_wsPath = config.string(QStringLiteral("server.ws_path"));
    m_allowedOrigins = config.stringList(QStringLiteral("server.allowed_origins"));
    m_maxConnections = config.integer32(QStringLiteral("server.max_connections"));
    m_maxPerAddress = config.integer32(QStringLiteral("server.max_connections_per_address"));
    m_maxMessage = config.integer(QStringLiteral("server.max_message_bytes"));
    m_maxOutbound = config.integer(QStringLiteral("server.max_outbound_queue_bytes"));
    m_writeTimeoutMs = config.integer(QStringLiteral("server.write_timeout_s")) * 1000;
    m_pingIntervalMs = config.integer(QStringLiteral("server.ping_interval_s")) * 1000;
    m_pongTimeoutMs = config.integer(QStringLiteral("server.pong_timeout_s")) * 1000;

    m_tcp = new QTcpServer(this);
    m_tcp->setMaxPendingConnections(1024);
    connect(m_tcp, &QTcpServer::newConnection, this, &ApiServer::onNewTcpConnection);
    m_ws = new QWebSocketServer(QStringLiteral("camera-station"), QWebSocketServer::NonSecureMode, this);
    m_ws->setMaxPendingConnections(1024);
    m_ws->setHandshakeTimeout(std::chrono::milliseconds(kHeadTimeoutMs));
    connect(m_ws, &QWebSocketServer::newConnection, this, &ApiServer::onNewWebSocket);
    connect(bus, &events::EventBus::published, this, &ApiServer::deliver);

    m_housekeeping.setInterval(1000);
    connect(&m_housekeeping, &QTimer::timeout, this, &ApiServer::housekeeping);

    if (m_metrics) {
        using T = health::MetricsRegistry::Type;
        m_metrics->declare(QStringLiteral("camera_station_websocket_connections"), T::Gauge, QStringLiteral("open WebSocket connections"));
        m_metrics->declare(QStringLiteral("camera_station_notifications_sent_total"), T::Counter, QStringLiteral("notifications sent by method"));
        m_metrics->declare(QStringLiteral("camera_station_slow_consumer_disconnects_total"), T::Counter, QStringLiteral("connections closed for not reading"));
        m_metrics->add(QStringLiteral("camera_station_slow_consumer_disconnects_total"), {}, 0);  // a series from the start
    }
}

ApiServer::~ApiServer()
{
    // Sessions are children of this object; sockets are owned by the servers.
    qDeleteAll(m_connections);
}

bool ApiServer::listen(QString *error)
{
    const QString host = m_config.string(QStringLiteral("server.host"));
    const QHostAddress address = host == QLatin1String("0.0.0.0") ? QHostAddress(QHostAddress::AnyIPv4)
                               : host == QLatin1String("::") ? QHostAddress(QHostAddress::Any)
                               : QHostAddress(host);
    if (address.isNull()) {
        *error = QStringLiteral("server.host: '%1' is not an IP address").arg(host);
        return false;
    }
    if (!m_tcp->listen(address, quint16(m_config.integer(QStringLiteral("server.port"))))) {
        *error = QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(m_config.integer(QStringLiteral("server.port"))).arg(m_tcp->errorString());
        return false;
    }
    m_housekeeping.start();
    qCInfo(lcWs) << "API listening on" << host << "port" << m_tcp->serverPort() << "path" << m_wsPath;
    return true;
}

bool ApiServer::isListening() const { return m_tcp->isListening(); }
quint16 ApiServer::port() const { return m_tcp->serverPort(); }

void ApiServer::stopListening()
{
    m_tcp->close();
}

int ApiServer::authenticatedCount() const
{
    int n = 0;
    for (const Connection *c : m_connections)
        n += c->session->isAuthenticated() ? 1 : 0;
    return n;
}

QList<rpc::RpcSession *> ApiServer::sessions() const
{
    QList<rpc::RpcSession *> list;
    list.reserve(m_connections.size());
    for (const Connection *c : m_connections)
        list << c->session;
    return list;
}

int ApiServer::connectionsFrom(const QHostAddress &peer) const
{
    int n = 0;
    for (const Connection *c : m_connections)
        n += c->session->peer() == peer ? 1 : 0;
    for (const PendingUpgrade &p : m_pendingUpgrades)
        n += p.socket && p.peer == peer ? 1 : 0;
    return n;
}

void ApiServer::onNewTcpConnection()
{
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { routeSocket(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, [socket] {
            if (!socket->property(kRoutedProperty).toBool())
                socket->deleteLater();
        });
        // A client that never finishes its request head is dropped.
        QTimer::singleShot(kHeadTimeoutMs, socket, [socket] {
            if (!socket->property(kRoutedProperty).toBool())
                socket->abort();
        });
        if (socket->bytesAvailable() > 0)
            routeSocket(socket);
    }
}

void ApiServer::refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QByteArray &extraHeaders)
{
    static const QHash<int, QByteArray> texts = {
        {400, "Bad Request"}, {403, "Forbidden"}, {431, "Request Header Fields Too Large"}, {503, "Service Unavailable"}};
    const QByteArray error = status == 400 ? "bad_request" : status == 403 ? "forbidden" : status == 431 ? "header_too_large" : "unavailable";
    const QByteArray body = QJsonDocument(QJsonObject{
        {QStringLiteral("error"), QString::fromLatin1(error)},
        {QStringLiteral("message"), QString::fromLatin1(reason)},
        {QStringLiteral("status"), status},
        {QStringLiteral("timestamp"), rpc::isoTime(QDateTime::currentDateTimeUtc())}}).toJson(QJsonDocument::Compact);
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + texts.value(status, "Error") + "\r\n"
        "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n"
        "Connection: close\r\n" + extraHeaders + "\r\n";
    socket->setProperty(kRoutedProperty, true);
    disconnect(socket, nullptr, this, nullptr);
    socket->write(head + body);
    socket->disconnectFromHost();
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

void ApiServer::routeSocket(QTcpSocket *socket)
{
    if (socket->property(kRoutedProperty).toBool())
        return;
    HttpRequest request;
    int status = 0;
    const QByteArray head = socket->peek(HttpRequestParser::kMaxHeaderBytes + 4);
    const auto result = HttpRequestParser::parse(head, &request, &status);
    if (result == HttpRequestParser::Status::Incomplete)
        return;
    if (result == HttpRequestParser::Status::Error) {
        refuse(socket, status, status == 431 ? "request header too large" : "malformed request");
        return;
    }
    if (request.path == m_wsPath && request.isWebSocketUpgrade() && request.method == "GET") {
        const QString origin = QString::fromUtf8(request.header("origin"));
        if (!m_allowedOrigins.contains(QStringLiteral("*")) && !origin.isEmpty() && !m_allowedOrigins.contains(origin)) {
            refuse(socket, 403, "origin not allowed");
            return;
        }
        if (connectionCount() + int(m_pendingUpgrades.size()) >= m_maxConnections) {
            refuse(socket, 503, "connection limit reached", "Retry-After: 5\r\n");
            return;
        }
        if (m_maxPerAddress > 0 && connectionsFrom(socket->peerAddress()) >= m_maxPerAddress) {
            refuse(socket, 503, "connection limit per address reached", "Retry-After: 5\r\n");
            return;
        }
        socket->setProperty(kRoutedProperty, true);
        disconnect(socket, nullptr, this, nullptr);
        QString host = QString::fromUtf8(request.header("host"));
        m_pendingUpgrades.append(PendingUpgrade{socket, host, socket->peerAddress(), socket->peerPort()});
        m_ws->handleConnection(socket);
        return;
    }
    socket->setProperty(kRoutedProperty, true);
    disconnect(socket, nullptr, this, nullptr);
    if (adoptHttp) {
        adoptHttp(socket);
    } else {
        refuse(socket, 503, "downloads unavailable");
    }
}

void ApiServer::onNewWebSocket()
{
    while (QWebSocket *ws = m_ws->nextPendingConnection()) {
        auto *c = new Connection;
        c->ws = ws;
        QString hostHeader;
        for (qsizetype i = 0; i < m_pendingUpgrades.size(); ++i) {
            const PendingUpgrade &p = m_pendingUpgrades.at(i);
            if (p.peerPort == ws->peerPort() && p.peer == ws->peerAddress()) {
                c->tcp = p.socket;
                hostHeader = p.hostHeader;
                m_pendingUpgrades.removeAt(i);
                break;
            }
        }
        m_pendingUpgrades.removeIf([](const PendingUpgrade &p) { return p.socket.isNull(); });
        const QString clientId = QStringLiteral("conn-%1").arg(++m_connectionCounter, 6, 16, QLatin1Char('0'));
        c->session = new rpc::RpcSession(clientId, ws->peerAddress(), hostHeader, this);
        c->lastActivityMs = c->lastPingMs = c->lastWriteProgressMs = m_clock.elapsed();
        m_dispatcher->attach(c->session);
        ws->setMaxAllowedIncomingMessageSize(quint64(m_maxMessage));
        ws->setMaxAllowedIncomingFrameSize(quint64(m_maxMessage));
        ws->setOutgoingFrameSize(quint64(std::max<qint64>(m_maxMessage, 1 << 20)));
        m_connections.insert(ws, c);

        c->session->sendHook = [this, c](const QByteArray &text) { sendTo(c, text); };
        c->session->closeHook = [this, c](int code, const QString &reason) {
            if (c->closingSinceMs < 0)
                c->closingSinceMs = m_clock.elapsed();
            c->ws->close(QWebSocketProtocol::CloseCode(code), reason);
        };
        connect(ws, &QWebSocket::textMessageReceived, this, [this, c](const QString &message) {
            c->lastActivityMs = m_clock.elapsed();
            if (c->closingSinceMs >= 0)
                return;  // a connection being closed (e.g. for flooding) gets no more work done
            m_dispatcher->handleMessage(c->session, message.toUtf8());
        });
        connect(ws, &QWebSocket::binaryMessageReceived, this, [this, c](const QByteArray &) {
            c->lastActivityMs = m_clock.elapsed();
            c->session->close(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("binary messages are not accepted"));
        });
        connect(ws, &QWebSocket::pong, this, [this, c](quint64, const QByteArray &) { c->lastActivityMs = m_clock.elapsed(); });
        if (c->tcp) {
            connect(c->tcp, &QTcpSocket::bytesWritten, this, [this, c](qint64) { c->lastWriteProgressMs = m_clock.elapsed(); });
            connect(c->tcp, &QTcpSocket::readyRead, this, [this, c] { c->lastActivityMs = m_clock.elapsed(); });
        }
        connect(ws, &QWebSocket::disconnected, this, [this, c] { dropConnection(c); });
        Q_EMIT connectionCountChanged();
    }
}

void ApiServer::dropConnection(Connection *c)
{
    if (!m_connections.remove(c->ws))
        return;
    const QHostAddress peer = c->session->peer();
    // The sockets outlive `c` until their deleteLater: no signal may reach it after this.
    disconnect(c->ws, nullptr, this, nullptr);
    if (c->tcp)
        disconnect(c->tcp, nullptr, this, nullptr);
    c->session->sendHook = nullptr;
    c->session->closeHook = nullptr;
    c->session->deleteLater();
    c->ws->deleteLater();
    // A write can report the disconnect synchronously from inside sendTo(),
    // which still uses `c`: delete it once the current call chain is done.
    c->dropped = true;
    QMetaObject::invokeMethod(this, [c] { delete c; }, Qt::QueuedConnection);
    if (connectionsFrom(peer) == 0)
        m_dispatcher->forgetAddress(peer.toString());
    Q_EMIT connectionCountChanged();
}

void ApiServer::sendTo(Connection *c, const QByteArray &text)
{
    if (c->dropped || c->closingSinceMs >= 0 || c->ws->state() != QAbstractSocket::ConnectedState)
        return;
    c->ws->sendTextMessage(QString::fromUtf8(text));
    // Hand the frame to the kernel now. Left to the write notifier, QAbstractSocket
    // writes one buffer chunk per event-loop iteration (each iteration polls every
    // connection), so under load responses piled up in user space (hundreds of MB
    // with 1000 clients) and waited an extra poll round. Never blocks: what the
    // kernel does not take stays queued for the notifier as before.
    c->ws->flush();
    if (c->dropped)
        return;
    if (c->tcp && c->tcp->bytesToWrite() > m_maxOutbound) {
        // A client that does not read cannot grow our memory (§12.1, §15).
        qCWarning(lcWs) << c->session->clientId() << "outbound queue over limit; closing";
        if (m_metrics)
            m_metrics->add(QStringLiteral("camera_station_slow_consumer_disconnects_total"));
        c->session->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("outbound queue limit"));
    }
}

void ApiServer::housekeeping()
{
    const qint64 now = m_clock.elapsed();
    const QList<Connection *> all = m_connections.values();
    for (Connection *c : all) {
        if (c->closingSinceMs >= 0) {
            if (now - c->closingSinceMs > kCloseGraceMs)
                c->ws->abort();
            continue;
        }
        if (c->tcp && c->tcp->bytesToWrite() > 0 && now - c->lastWriteProgressMs > m_writeTimeoutMs) {
            qCWarning(lcWs) << c->session->clientId() << "write blocked; aborting";
            c->ws->abort();
            continue;
        }
        if (c->tcp && c->tcp->bytesToWrite() == 0)
            c->lastWriteProgressMs = now;
        if (now - c->lastActivityMs > m_pongTimeoutMs) {
            c->session->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("no activity"));
            continue;
        }
        if (now - c->lastPingMs >= m_pingIntervalMs) {
            c->lastPingMs = now;
            c->ws->ping();
        }
    }
    m_pendingUpgrades.removeIf([](const PendingUpgrade &p) { return p.socket.isNull(); });
    if (m_metrics) {
        const int authed = authenticatedCount();
        m_metrics->set(QStringLiteral("camera_station_websocket_connections"), health::MetricsRegistry::label(QStringLiteral("state"), QStringLiteral("authenticated")), authed);
        m_metrics->set(QStringLiteral("camera_station_websocket_connections"), health::MetricsRegistry::label(QStringLiteral("state"), QStringLiteral("unauthenticated")), connectionCount() - authed);
    }
}

void ApiServer::closeAll(int code, const QString &reason)
{
    for (Connection *c : m_connections.values())
        c->session->close(code, reason);
}

void ApiServer::deliver(const events::Event &event)
{
    if (m_connections.isEmpty())
        return;
    const auth::Role minRole = events::topicMinRole(event.topic);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QByteArray rendered;
    QHash<QString, QByteArray> perHost;
    quint64 sent = 0;
    for (Connection *c : std::as_const(m_connections)) {
        rpc::RpcSession *s = c->session;
        if (!s->isAuthenticated() || s->identity().role < minRole)
            continue;
        if (s->identity().expiresAt.isValid() && now >= s->identity().expiresAt)
            continue;
        auto sub = s->subscriptions().constFind(event.topic);
        if (sub == s->subscriptions().constEnd())
            continue;
        if (!sub->isEmpty() && !event.device.isEmpty() && *sub != event.device)
            continue;
        // A revoked API key stops notifications at once, not only at the connection's next call.
        if (s->identity().authMethod == QLatin1String("api_key") && m_dispatcher->recheckCredential
            && !m_dispatcher->recheckCredential(s->identity()).ok)
            continue;
        if (rendered.isEmpty()) {
            rendered = QJsonDocument(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                                 {QStringLiteral("method"), event.topic},
                                                 {QStringLiteral("params"), event.params}}).toJson(QJsonDocument::Compact);
        }
        if (event.hostDependent && hostFor) {
            const QString host = hostFor(s);
            auto it = perHost.find(host);
            if (it == perHost.end())
                it = perHost.insert(host, QByteArray(rendered).replace("__STATION_HOST__", host.toUtf8()));
            s->sendNotification(*it);
        } else {
            s->sendNotification(rendered);
        }
        ++sent;
    }
    m_notificationsSent += sent;
    if (m_metrics && sent)
        m_metrics->add(QStringLiteral("camera_station_notifications_sent_total"), health::MetricsRegistry::label(QStringLiteral("method"), event.topic), double(sent));
}

} // namespace station::net
