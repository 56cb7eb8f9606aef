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

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <utility>

Q_LOGGING_CATEGORY(lcWs, "station.ws")

namespace station::net {

namespace {
const char kRoutedProperty[] = "station_routed";
constexpr qint64 kCloseGraceMs = 2000;
constexpr int kMaxPending = 1024;
constexpr qint64 kAnonymousBudget = 256 * 1024;
constexpr int kFdReserve = 32;   // descriptors kept free for files, pipes and the health port
constexpr qint64 kSliceMs = 5;   // one connection's requests are handled for this long, then others get a turn
} // namespace

struct ApiServer::Connection {
    QWebSocket *ws = nullptr;
    QPointer<QTcpSocket> tcp;
    rpc::RpcSession *session = nullptr;
    qint64 lastActivityMs = 0;
    qint64 lastPingMs = 0;
    qint64 lastWriteProgressMs = 0;
    qint64 closingSinceMs = -1;
    qint64 overBudgetSinceMs = -1;  // first went over server.max_outbound_queue_bytes, until below half
    qint64 connectedMs = 0;
    qint64 lastAcked = -1;
    bool paused = false;   // over the outbound budget, or messages waiting: the socket is not read
    bool drainQueued = false;
    QList<QByteArray> inbox;  // messages read but not yet handled (bounded by one socket read)
    bool dropped = false;  // disconnected; deleted on the next event-loop turn
    SlowReaderMeter meter;
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
    m_authTimeoutMs = config.integer(QStringLiteral("server.auth_deadline_s")) * 1000;
    m_limits = ConnectionLimits::fromConfig(config);

    m_tcp = new QTcpServer(this);
    m_tcp->setMaxPendingConnections(kMaxPending);
    // The kernel's accept queue: Qt's default of 50 overflows when a few hundred clients
    // connect at once (a kiosk wall reconnecting, a fleet after a restart). An overflowing
    // queue drops the handshake's last ACK; the client thinks it is connected and waits
    // seconds on TCP retransmission before its first byte is read.
    m_tcp->setListenBacklogSize(1024);
    connect(m_tcp, &QTcpServer::newConnection, this, &ApiServer::onNewTcpConnection);
    // Qt pauses a listener whose accept() failed for lack of resources (EMFILE);
    // housekeeping resumes it once descriptors are free again, instead of leaving
    // the API unreachable for good.
    connect(m_tcp, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError error) {
        qCWarning(lcWs) << "accept failed:" << error << "(open descriptors" << FdBudget::openDescriptors() << "of" << FdBudget::softLimit()
                        << "); pausing accept";
        FdBudget::pauseListener(m_tcp);
        m_acceptPaused = true;
    });
    m_resumeTimer.setInterval(50);
    connect(&m_resumeTimer, &QTimer::timeout, this, &ApiServer::resumeDrained);
    m_ws = new QWebSocketServer(QStringLiteral("camera-station"), QWebSocketServer::NonSecureMode, this);
    m_ws->setMaxPendingConnections(1024);
    m_ws->setHandshakeTimeout(std::chrono::milliseconds(m_limits.headTimeoutMs));
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
        m_metrics->declare(QStringLiteral("camera_station_connections_refused_total"), T::Counter,
                           QStringLiteral("connections refused or closed by a connection limit (API.md §15), by reason"));
        for (const char *reason : {"per_address", "max_connections", "http_connections", "overload", "auth_deadline"})
            countRefusal(reason, 0);
    }
}

void ApiServer::countRefusal(const char *reason, double n)
{
    if (m_metrics)
        m_metrics->add(QStringLiteral("camera_station_connections_refused_total"),
                       health::MetricsRegistry::label(QStringLiteral("reason"), QString::fromLatin1(reason)), n);
}

ApiServer::~ApiServer()
{
    // Sessions are children of this object; sockets are owned by the servers.
    qDeleteAll(m_connections);
    qDeleteAll(m_dropped);
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
    return m_socketsPerAddress.value(addressKey(peer));
}

void ApiServer::trackSocket(QTcpSocket *socket)
{
    const QString key = addressKey(socket->peerAddress());
    m_sockets.insert(socket, TrackedSocket{socket, key});
    ++m_socketsPerAddress[key];
    // Context m_tracker: routing disconnects the socket from `this`, not from it.
    // (`destroyed` is not emitted while signals are blocked; housekeeping sweeps too.)
    connect(socket, &QObject::destroyed, &m_tracker, [this, socket] { untrackSocket(socket); });
}

void ApiServer::untrackSocket(QTcpSocket *socket)
{
    const auto it = m_sockets.constFind(socket);
    if (it == m_sockets.constEnd())
        return;
    const QString k = it->key;
    m_sockets.erase(it);
    m_httpSockets.remove(socket);
    if (--m_socketsPerAddress[k] <= 0)
        m_socketsPerAddress.remove(k);
    if (m_acceptPaused && !m_resumeCheckQueued) {
        // A descriptor was freed: look again soon (once for a burst of closes), not only at housekeeping.
        m_resumeCheckQueued = true;
        QTimer::singleShot(10, this, [this] {
            m_resumeCheckQueued = false;
            resumeAcceptIfFree();
        });
    }
}

void ApiServer::resumeAcceptIfFree()
{
    // Resume with some slack, so as not to flap between pause and resume on every connection.
    if (m_acceptPaused && !FdBudget::nearLimit(kFdReserve + kFdReserve / 4)) {
        qCInfo(lcWs) << "descriptors available again; resuming accept";
        m_acceptPaused = false;
        FdBudget::resumeListener(m_tcp, kMaxPending);
    }
}

void ApiServer::onNewTcpConnection()
{
    if (FdBudget::nearLimit(kFdReserve)) {
        // Stop accepting before accept() itself fails; housekeeping resumes once descriptors are free.
        qCWarning(lcWs) << "open descriptors near the limit of" << FdBudget::softLimit() << "; pausing accept";
        FdBudget::pauseListener(m_tcp);
        m_acceptPaused = true;
    }
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        // Answers go out at once, not after the peer's delayed ACK (a second small write
        // on a fresh connection otherwise waited ~40 ms for Nagle).
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setReadBufferSize(std::max<qint64>(readBufferBytes(), HttpRequestParser::kMaxHeaderBytes + 4));
        trackSocket(socket);
        const int fromPeer = m_socketsPerAddress.value(m_sockets.value(socket).key);
        if ((m_limits.maxPerAddress > 0 && fromPeer > 2 * m_limits.maxPerAddress)
            || m_sockets.size() > m_maxConnections + m_limits.httpMaxConnections + 64) {
            countRefusal(m_limits.maxPerAddress > 0 && fromPeer > 2 * m_limits.maxPerAddress ? "per_address" : "overload");
            if (m_refusedAtAccept++ % 100 == 0)
                qCWarning(lcWs).noquote() << "connection from" << m_sockets.value(socket).key << "reset at accept:" << fromPeer
                                          << "sockets from that address," << m_sockets.size() << "in all";
            socket->abort();  // far over the limit: not even a reply
            socket->deleteLater();
            continue;
        }
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { routeSocket(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, [socket] {
            if (!socket->property(kRoutedProperty).toBool())
                socket->deleteLater();
        });
        // A reset before routing does not always report `disconnected`: free the socket anyway.
        connect(socket, &QTcpSocket::errorOccurred, socket, [socket] {
            if (!socket->property(kRoutedProperty).toBool() && socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
        });
        // A client that never finishes its request head is dropped.
        QTimer::singleShot(int(m_limits.headTimeoutMs), socket, [socket] {
            if (!socket->property(kRoutedProperty).toBool()) {
                socket->abort();
                socket->deleteLater();
            }
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
    if (m_limits.maxPerAddress > 0 && m_socketsPerAddress.value(m_sockets.value(socket).key) > m_limits.maxPerAddress) {
        qCWarning(lcWs).noquote() << "refused a connection from" << m_sockets.value(socket).key << ": more than"
                               << m_limits.maxPerAddress << "from that address (server.max_connections_per_address)";
        countRefusal("per_address");
        refuse(socket, 503, "connection limit per address reached", "Retry-After: 5\r\n");
        return;
    }
    if (request.path == m_wsPath && request.isWebSocketUpgrade() && request.method == "GET") {
        const QString origin = QString::fromUtf8(request.header("origin"));
        if (!m_allowedOrigins.contains(QStringLiteral("*")) && !origin.isEmpty() && !m_allowedOrigins.contains(origin)) {
            refuse(socket, 403, "origin not allowed");
            return;
        }
        if (connectionCount() + int(m_pendingUpgrades.size()) >= m_maxConnections) {
            countRefusal("max_connections");
            refuse(socket, 503, "connection limit reached", "Retry-After: 5\r\n");
            return;
        }
        socket->setProperty(kRoutedProperty, true);
        disconnect(socket, nullptr, this, nullptr);
        QString host = QString::fromUtf8(request.header("host"));
        m_pendingUpgrades.append(PendingUpgrade{socket, host, socket->peerAddress(), socket->peerPort()});
        m_ws->handleConnection(socket);
        return;
    }
    if (m_httpSockets.size() >= m_limits.httpMaxConnections) {
        countRefusal("http_connections");
        refuse(socket, 503, "HTTP connection limit reached", "Retry-After: 5\r\n");
        return;
    }
    socket->setProperty(kRoutedProperty, true);
    disconnect(socket, nullptr, this, nullptr);
    m_httpSockets.insert(socket, true);
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
        c->lastActivityMs = c->lastPingMs = c->lastWriteProgressMs = c->connectedMs = m_clock.elapsed();
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
            // Handled in time slices on later event-loop turns, so one client's pile of
            // requests cannot hold up everyone else's (and stops reading while it waits).
            c->inbox.append(message.toUtf8());
            scheduleDrain(c);
        });
        connect(ws, &QWebSocket::binaryMessageReceived, this, [this, c](const QByteArray &) {
            c->lastActivityMs = m_clock.elapsed();
            c->session->close(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("binary messages are not accepted"));
        });
        connect(ws, &QWebSocket::pong, this, [this, c](quint64, const QByteArray &) { c->lastActivityMs = m_clock.elapsed(); });
        if (c->tcp) {
            // Qt otherwise reads everything the kernel holds in one go (tens of MB with a
            // large tcp_rmem) and QWebSocket answers every ping in it before the budget
            // check below runs: one frame at most (a frame is parsed only when whole).
            c->tcp->setReadBufferSize(readBufferBytes());
            connect(c->tcp, &QTcpSocket::bytesWritten, this, [this, c](qint64) { c->lastWriteProgressMs = m_clock.elapsed(); });
            connect(c->tcp, &QTcpSocket::readyRead, this, [this, c] {
                c->lastActivityMs = m_clock.elapsed();
                // Qt answers pings inside QWebSocket, outside sendTo(): its pongs count against the budget too.
                if (c->tcp->bytesToWrite() > budgetOf(c))
                    pause(c);
            });
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
    if (c->tcp) {
        c->tcp->blockSignals(false);
        untrackSocket(c->tcp);  // it is gone for the limits now, whenever Qt deletes it
    }
    // A connection that held a large queue leaves freed heap glibc keeps: give it back
    // at the next housekeeping (a ping flood otherwise leaves the RSS ~20 MB higher).
    if (c->overBudgetSinceMs >= 0 || c->paused || (c->tcp && c->tcp->bytesToWrite() > (1 << 20)))
        m_trimHeap = true;
    c->paused = false;
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
    m_dropped.insert(c);  // deleted by the destructor if the loop never runs again (fuzz_ws_frame under LSan)
    QMetaObject::invokeMethod(this, [this, c] {
        if (m_dropped.remove(c))
            delete c;
    }, Qt::QueuedConnection);
    m_dispatcher->forgetAddress(addressKey(peer));
    Q_EMIT connectionCountChanged();
}

void ApiServer::sendTo(Connection *c, const QByteArray &text)
{
    if (c->dropped || c->closingSinceMs >= 0 || c->ws->state() != QAbstractSocket::ConnectedState)
        return;
    if (c->tcp) {
        // The text frame is written straight to the socket QWebSocket runs on (RFC 6455
        // §5.2; a server does not mask): QWebSocket::sendTextMessage() takes a QString,
        // so the UTF-8 text would be converted to UTF-16 and back and copied twice more
        // per connection (a quarter of the CPU of a large listing). Safe between frames:
        // QWebSocket writes its own frames (pongs, close) whole and synchronously too, and
        // nothing is sent once closing has begun (checked above).
        char header[10];
        qsizetype n = 0;
        header[n++] = char(0x81);  // FIN, text
        const quint64 size = quint64(text.size());
        if (size < 126) {
            header[n++] = char(size);
        } else if (size <= 0xffff) {
            header[n++] = char(126);
            header[n++] = char(size >> 8);
            header[n++] = char(size & 0xff);
        } else {
            header[n++] = char(127);
            for (int shift = 56; shift >= 0; shift -= 8)
                header[n++] = char((size >> shift) & 0xff);
        }
        c->tcp->write(header, n);
        c->tcp->write(text);  // a QByteArray: Qt 6 queues it without copying
    } else {
        c->ws->sendTextMessage(QString::fromUtf8(text));
    }
    // Hand the frame to the kernel now. Left to the write notifier, QAbstractSocket
    // writes one buffer chunk per event-loop iteration (each iteration polls every
    // connection), so under load responses piled up in user space (hundreds of MB
    // with 1000 clients) and waited an extra poll round. Never blocks: what the
    // kernel does not take stays queued for the notifier as before.
    c->ws->flush();
    if (c->dropped)
        return;
    if (!c->tcp)
        return;
    if (c->tcp->bytesToWrite() > budgetOf(c)) {
        if (c->overBudgetSinceMs < 0)
            c->overBudgetSinceMs = m_clock.elapsed();
        pause(c);  // back-pressure: read no more requests (nor pings) until the client drains
    }
    if (c->tcp->bytesToWrite() > 2 * budgetOf(c)) {
        // Notifications keep coming while paused: a client that does not read cannot grow our memory (§12.1, §15).
        qCWarning(lcWs) << c->session->clientId() << "outbound queue over limit (" << c->tcp->bytesToWrite() << "bytes); closing";
        if (m_metrics)
            m_metrics->add(QStringLiteral("camera_station_slow_consumer_disconnects_total"));
        c->session->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("outbound queue limit"));
    }
}

void ApiServer::pause(Connection *c)
{
    if (c->paused || !c->tcp || c->dropped)
        return;
    c->paused = true;
    // Qt then stops reading from the kernel once this much is buffered, and with the
    // socket's signals blocked QWebSocket neither parses what is buffered nor answers
    // pings: the client's own send buffer fills and it is throttled by TCP.
    c->tcp->setReadBufferSize(16 * 1024);
    c->tcp->blockSignals(true);
    if (!m_resumeTimer.isActive())
        m_resumeTimer.start();
}

void ApiServer::resume(Connection *c)
{
    if (!c->paused)
        return;
    c->paused = false;
    c->tcp->blockSignals(false);
    c->tcp->setReadBufferSize(readBufferBytes());
    c->lastWriteProgressMs = m_clock.elapsed();
    if (c->tcp->bytesAvailable() > 0) {
        // What arrived while paused: no new notification will say so.
        QPointer<QTcpSocket> tcp = c->tcp;
        QMetaObject::invokeMethod(this, [tcp] {
            if (tcp && tcp->bytesAvailable() > 0)
                Q_EMIT tcp->readyRead();
        }, Qt::QueuedConnection);
    }
}

void ApiServer::scheduleDrain(Connection *c)
{
    if (c->drainQueued)
        return;
    c->drainQueued = true;
    QPointer<QWebSocket> ws = c->ws;
    QMetaObject::invokeMethod(this, [this, ws] {
        Connection *conn = ws ? m_connections.value(ws) : nullptr;
        if (conn && !conn->dropped)
            drainInbox(conn);
    }, Qt::QueuedConnection);
}

void ApiServer::drainInbox(Connection *c)
{
    c->drainQueued = false;
    QElapsedTimer slice;
    slice.start();
    while (!c->inbox.isEmpty() && !c->dropped && c->closingSinceMs < 0) {
        if (slice.elapsed() >= kSliceMs || (c->tcp && c->tcp->bytesToWrite() > budgetOf(c)))
            break;
        m_dispatcher->handleMessage(c->session, c->inbox.takeFirst());
    }
    if (c->dropped)
        return;
    if (c->closingSinceMs >= 0)
        c->inbox.clear();
    if (!c->inbox.isEmpty()) {
        pause(c);  // read nothing more until these are handled
        if (!c->tcp || c->tcp->bytesToWrite() <= budgetOf(c))
            scheduleDrain(c);  // else resumeDrained() continues once the client has read
        return;
    }
    if (c->paused && c->tcp && c->tcp->bytesToWrite() <= budgetOf(c) / 2)
        resume(c);
}

void ApiServer::resumeDrained()
{
    bool anyPaused = false;
    const QList<Connection *> all = m_connections.values();
    for (Connection *c : all) {
        if (!c->paused)
            continue;
        if (!c->tcp || c->tcp->state() != QAbstractSocket::ConnectedState) {
            abortConnection(c, QStringLiteral("connection lost while paused"));
            continue;
        }
        if (c->tcp->bytesToWrite() > budgetOf(c) / 2) {
            anyPaused = true;
            continue;
        }
        if (!c->inbox.isEmpty()) {
            scheduleDrain(c);
            anyPaused = true;
            continue;
        }
        resume(c);
    }
    if (!anyPaused)
        m_resumeTimer.stop();
}

void ApiServer::abortConnection(Connection *c, const QString &why)
{
    qCWarning(lcWs).noquote() << c->session->clientId() << "from" << c->session->peerKey() << "aborted:" << why;
    if (c->tcp)
        c->tcp->blockSignals(false);
    c->paused = false;
    c->ws->abort();
    dropConnection(c);  // no-op when abort() already reported the disconnect
}

qint64 ApiServer::budgetOf(const Connection *c) const
{
    // Before authenticating, a client can only call ping and authenticate, whose answers
    // are small: it gets a budget of 256 KiB, so an anonymous ping flooder is stopped
    // (and its memory given back) 32 times sooner than the 8 MiB of API.md §15.
    return c->session && c->session->hasEverAuthenticated() ? m_maxOutbound : std::min<qint64>(m_maxOutbound, kAnonymousBudget);
}

qint64 ApiServer::readBufferBytes() const
{
    return m_maxMessage + 64;  // one whole frame of the largest message, header included
}

void ApiServer::housekeeping()
{
    const qint64 now = m_clock.elapsed();
#if defined(__GLIBC__)
    // Freed heap goes back to the system after a large queue was dropped, and every
    // 30 s anyway: with many connections churning, glibc otherwise keeps the peak (about
    // 1 ms for a heap of this size).
    if (std::exchange(m_trimHeap, false) || ++m_ticksSinceTrim >= 30) {
        m_ticksSinceTrim = 0;
        ::malloc_trim(0);
    }
#endif
    const QList<Connection *> all = m_connections.values();
    for (Connection *c : all) {
        if (c->closingSinceMs >= 0) {
            if (now - c->closingSinceMs > kCloseGraceMs)
                abortConnection(c, QStringLiteral("did not finish closing"));
            continue;
        }
        const qint64 queued = c->tcp ? c->tcp->bytesToWrite() : 0;
        const qint64 acked = c->tcp ? tcpBytesAcked(c->tcp->socketDescriptor()) : -1;
        if (queued == 0 || (acked >= 0 && acked != c->lastAcked))
            c->lastWriteProgressMs = now;
        c->lastAcked = acked;
        if (queued > 0 && now - c->lastWriteProgressMs > m_writeTimeoutMs) {
            if (m_metrics)
                m_metrics->add(QStringLiteral("camera_station_slow_consumer_disconnects_total"));
            abortConnection(c, QStringLiteral("outbound queue over limit: nothing read for %1 s with %2 bytes queued")
                                   .arg(m_writeTimeoutMs / 1000).arg(queued));
            continue;
        }
        if (c->overBudgetSinceMs >= 0 && queued <= budgetOf(c) / 2) {
            c->overBudgetSinceMs = -1;
        } else if (c->overBudgetSinceMs >= 0 && now - c->overBudgetSinceMs > m_writeTimeoutMs) {
            // API.md §15: still above half the budget write_timeout_s after going over it.
            qCWarning(lcWs) << c->session->clientId() << "outbound queue over limit: still above half of it after" << m_writeTimeoutMs / 1000 << "s ("
                            << queued << "bytes); closing";
            if (m_metrics)
                m_metrics->add(QStringLiteral("camera_station_slow_consumer_disconnects_total"));
            c->overBudgetSinceMs = -1;
            c->session->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("outbound queue limit"));
            continue;
        }
        if (c->tcp && c->meter.tick(c->tcp->socketDescriptor(), queued, now, m_limits)) {
            if (m_metrics)
                m_metrics->add(QStringLiteral("camera_station_slow_consumer_disconnects_total"));
            const QString reason = QStringLiteral("slow reader: %1 B/s over %2 s, below server.min_read_rate_bytes_per_s %3")
                                       .arg(qint64(c->meter.lastRate())).arg(m_limits.slowReadTimeoutMs / 1000).arg(m_limits.minReadBytesPerSecond);
            qCWarning(lcWs).noquote() << c->session->clientId() << "from" << c->session->peerKey() << "closed:" << reason;
            c->session->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("slow reader"));
            continue;
        }
        if (!c->session->hasEverAuthenticated() && now - c->connectedMs >= m_authTimeoutMs) {
            qCInfo(lcWs).noquote() << c->session->clientId() << "from" << c->session->peerKey() << "closed: not authenticated within"
                                   << m_authTimeoutMs / 1000 << "s (server.auth_deadline_s)";
            countRefusal("auth_deadline");
            c->session->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("authentication required"));
            continue;
        }
        if (now - c->lastActivityMs > m_pongTimeoutMs) {
            c->session->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("no activity"));
            continue;
        }
        if (!c->paused && now - c->lastPingMs >= m_pingIntervalMs) {
            c->lastPingMs = now;
            c->ws->ping();
        }
    }
    m_pendingUpgrades.removeIf([](const PendingUpgrade &p) { return p.socket.isNull(); });
    // Sockets deleted while their signals were blocked never said so.
    QList<QTcpSocket *> gone;
    for (auto it = m_sockets.cbegin(); it != m_sockets.cend(); ++it) {
        if (it->socket.isNull())
            gone << it.key();
    }
    for (QTcpSocket *s : gone)
        untrackSocket(s);
    resumeAcceptIfFree();
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
        if (!s->isAuthenticated())
            continue;
        if (s->identity().expiresAt.isValid() && now >= s->identity().expiresAt)
            continue;
        auto sub = s->subscriptions().constFind(event.topic);
        if (sub == s->subscriptions().constEnd())
            continue;
        if (!sub->isEmpty() && !event.device.isEmpty() && *sub != event.device)
            continue;
        // A revoked API key stops notifications at once, not only at the connection's next
        // call; a role changed in the key store applies at once too.
        if (s->identity().authMethod == QLatin1String("api_key") && m_dispatcher->recheckCredential) {
            const auth::AuthResult r = m_dispatcher->recheckCredential(s->identity());
            if (!r.ok)
                continue;
            if (r.identity.role != s->identity().role) {
                auth::Identity updated = s->identity();
                updated.role = r.identity.role;
                s->setIdentity(updated, s->authSessionId());
            }
        }
        if (s->identity().role < minRole)
            continue;
        if (rendered.isEmpty()) {
            rendered = QJsonDocument(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                                 {QStringLiteral("method"), event.topic},
                                                 {QStringLiteral("params"), event.params}}).toJson(QJsonDocument::Compact);
        }
        if (event.hostDependent && personalize) {
            s->sendNotification(personalize(rendered, s));  // host and stream tokens of this connection
        } else if (event.hostDependent && hostFor) {
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
