#include "net/HealthServer.h"

#include "health/HealthState.h"
#include "health/MetricsRegistry.h"
#include "net/HttpRequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>

namespace station::net {

using namespace station::health;

Q_LOGGING_CATEGORY(lcHealth, "station.health")


struct HealthServer::Reply {
    Reply() = default;
    Reply(int s, QByteArray b, QByteArray type = "application/json")
        : status(s), body(std::move(b)), contentType(std::move(type)) {}
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    QList<std::pair<QByteArray, QByteArray>> extra;
};

namespace {

constexpr qint64 kSliceMs = 5;  // one connection's pipelined requests per turn
constexpr int kFdReserve = 16;  // descriptors left free: the health port pauses accept before the API port does

QString timestamp(const QDateTime &t = QDateTime::currentDateTimeUtc())
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"));
}

QString uptimeText(qint64 s)
{
    return QStringLiteral("%1h%2m%3s").arg(s / 3600).arg(s / 60 % 60).arg(s % 60);
}

const char *reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

int statusLevel(const QString &s)
{
    return s == QLatin1String("unhealthy") ? 2 : s == QLatin1String("degraded") ? 1 : 0;
}

} // namespace

HealthServer::HealthServer(HealthState *state, MetricsRegistry *metrics, QString version)
    : m_state(state), m_metrics(metrics), m_version(std::move(version))
{
    // Families this server fills at scrape time, so they always agree with /health*.
    using T = MetricsRegistry::Type;
    m_metrics->declare(QStringLiteral("camera_station_build_info"), T::Gauge, QStringLiteral("Build information (value 1)."));
    m_metrics->declare(QStringLiteral("camera_station_connections_refused_total"), T::Counter,
                       QStringLiteral("connections refused or closed by a connection limit (API.md §15), by reason"));
    m_metrics->add(QStringLiteral("camera_station_connections_refused_total"), MetricsRegistry::label(QStringLiteral("reason"), QStringLiteral("health_limit")), 0);
    m_metrics->declare(QStringLiteral("camera_station_uptime_seconds"), T::Gauge, QStringLiteral("Seconds since the service started."));
    m_metrics->declare(QStringLiteral("camera_station_ready"), T::Gauge, QStringLiteral("1 when /health/ready answers 200."));
    m_metrics->declare(QStringLiteral("camera_station_component_status"), T::Gauge,
                       QStringLiteral("Component status: 0 healthy, 1 degraded, 2 unhealthy."));
}

HealthServer::~HealthServer()
{
    stop();
}

void HealthServer::setEnvironment(const QString &environment)
{
    QMutexLocker lock(&m_envMutex);
    m_environment = environment;
}

quint16 HealthServer::start(const QHostAddress &host, quint16 port, QString *error)
{
    stop();
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("health"));
    m_thread->start();
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    quint16 bound = 0;
    QString err;
    QMetaObject::invokeMethod(m_context, [&] {
        auto *server = new QTcpServer(m_context);
        server->setMaxPendingConnections(m_limits.healthMaxConnections);
        server->setListenBacklogSize(256);  // Qt's default 50 overflows under a burst of probes (see ApiServer)
        if (!server->listen(host, port)) {
            err = server->errorString();
            delete server;
            return;
        }
        QObject::connect(server, &QTcpServer::newConnection, server, [this] { accept(); });
        QObject::connect(server, &QTcpServer::acceptError, server, [this](QAbstractSocket::SocketError e) {
            qCWarning(lcHealth) << "accept failed:" << e << "; pausing accept";
            FdBudget::pauseListener(m_server);
            m_acceptPaused = true;  // tick() resumes
        });
        auto *ticker = new QTimer(server);
        ticker->setInterval(1000);
        QObject::connect(ticker, &QTimer::timeout, server, [this] { tick(); });
        ticker->start();
        m_clock.start();
        bound = server->serverPort();
        m_server = server;
    }, Qt::BlockingQueuedConnection);
    if (!bound) {
        qCWarning(lcHealth).noquote() << "health listener failed on port" << port << ":" << err;
        if (error)
            *error = err;
        stop();
        return 0;
    }
    qCInfo(lcHealth) << "health endpoints listening on port" << bound;
    return bound;
}

void HealthServer::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(m_context, [this] {
        delete m_server;  // closes the listener and its (child) sockets in their own thread
        m_server = nullptr;
        m_peers.clear();
        m_perAddress.clear();
        m_acceptPaused = false;
        m_context->deleteLater();
    }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_context = nullptr;
}

void HealthServer::accept()
{
    if (FdBudget::nearLimit(kFdReserve)) {
        qCWarning(lcHealth) << "open descriptors near the limit of" << FdBudget::softLimit() << "; pausing accept";
        FdBudget::pauseListener(m_server);
        m_acceptPaused = true;
    }
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        const QString key = addressKey(socket->peerAddress());
        const int fromPeer = m_perAddress.value(key);
        const bool overAddress = m_limits.maxPerAddress > 0 && fromPeer >= m_limits.maxPerAddress;
        if (overAddress || m_peers.size() >= m_limits.healthMaxConnections) {
            // One host cannot take the probes' slots (server.max_connections_per_address,
            // per listener; API.md §15): 503 with Retry-After, or a reset when even the
            // refusals are too many. Refused sockets do not count as peers.
            m_metrics->add(QStringLiteral("camera_station_connections_refused_total"),
                           MetricsRegistry::label(QStringLiteral("reason"), QStringLiteral("health_limit")));
            if (m_refused++ % 100 == 0)
                qCWarning(lcHealth).noquote() << "refused a health connection from" << key << ":" << fromPeer
                                              << "open from that address," << m_peers.size() << "in all"
                                              << (overAddress ? "(server.max_connections_per_address)" : "(health.max_connections)");
            if (m_refusing >= kMaxRefusing) {
                socket->abort();
                socket->deleteLater();
            } else {
                refuse(socket);
            }
            continue;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);  // no Nagle wait on a pipelined answer
        m_peers.insert(socket, Peer{key, {}});
        ++m_perAddress[key];
        QObject::connect(socket, &QObject::destroyed, m_server, [this, socket] {
            const auto it = m_peers.constFind(socket);
            if (it == m_peers.constEnd())
                return;
            if (--m_perAddress[it->key] <= 0)
                m_perAddress.remove(it->key);
            m_peers.erase(it);
        });
        socket->setReadBufferSize(2 * HttpRequestParser::kMaxHeaderBytes);
        auto *idle = new QTimer(socket);
        idle->setSingleShot(true);
        idle->setObjectName(QStringLiteral("idle"));
        QObject::connect(idle, &QTimer::timeout, socket, &QTcpSocket::abort);
        idle->start(int(m_limits.keepAliveIdleMs));
        // Bytes trickling in restart the idle timer, never this one.
        auto *head = new QTimer(socket);
        head->setSingleShot(true);
        head->setObjectName(QStringLiteral("head"));
        QObject::connect(head, &QTimer::timeout, socket, &QTcpSocket::abort);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { onReadable(socket); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [this, socket] {
            // After an error reply: shut our side once flushed, then drain until the peer closes
            // (closing with unread input would reset the connection and lose the reply).
            if (socket->property("closing").toBool() && socket->bytesToWrite() == 0
                && ::shutdown(int(socket->socketDescriptor()), SHUT_WR) != 0)
                socket->abort();
            // Pipelined requests held back by the outbound budget: answer more once it drained.
            if (!socket->property("closing").toBool() && socket->bytesToWrite() <= m_limits.outboundBudgetBytes / 2
                && (socket->bytesAvailable() > 0 || !socket->property("buffer").toByteArray().isEmpty()))
                QMetaObject::invokeMethod(socket, [this, socket] { onReadable(socket); }, Qt::QueuedConnection);
        });
        if (socket->bytesAvailable())
            onReadable(socket);
    }
}

void HealthServer::refuse(QTcpSocket *socket)
{
    // The 503 is written once the request head is in (closing earlier, with the
    // request still unread, would reset the connection and lose the answer).
    ++m_refusing;
    QObject::connect(socket, &QObject::destroyed, m_server, [this] { --m_refusing; });
    QTimer::singleShot(2000, socket, [socket] { socket->abort(); socket->deleteLater(); });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    const auto answer = [socket] {
        QByteArray seen = socket->property("buffer").toByteArray() + socket->readAll();
        if (socket->property("closing").toBool() || (!seen.contains("\r\n\r\n") && seen.size() < HttpRequestParser::kMaxHeaderBytes)) {
            socket->setProperty("buffer", seen.left(HttpRequestParser::kMaxHeaderBytes));
            return;
        }
        socket->setProperty("closing", true);
        const QByteArray body = json({{QStringLiteral("error"), QStringLiteral("unavailable")},
                                      {QStringLiteral("message"), QStringLiteral("connection limit reached")},
                                      {QStringLiteral("status"), 503},
                                      {QStringLiteral("timestamp"), timestamp()}});
        socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                      + "\r\nRetry-After: 5\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    };
    QObject::connect(socket, &QTcpSocket::readyRead, socket, answer);
    if (socket->bytesAvailable())
        answer();
}

void HealthServer::tick()
{
    const qint64 now = m_clock.elapsed();
    QList<QTcpSocket *> slow;
    for (auto it = m_peers.begin(); it != m_peers.end(); ++it) {
        if (it->meter.tick(it.key()->socketDescriptor(), it.key()->bytesToWrite(), now, m_limits)) {
            qCWarning(lcHealth).noquote() << "slow reader from" << it->key << "closed:" << qint64(it->meter.lastRate())
                                          << "B/s, below server.min_read_rate_bytes_per_s" << m_limits.minReadBytesPerSecond;
            slow << it.key();
        }
    }
    for (QTcpSocket *s : slow)
        s->abort();
    // Resume with some slack, so as not to flap between pause and resume on every connection.
    if (m_acceptPaused && !FdBudget::nearLimit(kFdReserve + kFdReserve / 4)) {
        m_acceptPaused = false;
        FdBudget::resumeListener(m_server, m_limits.healthMaxConnections);
    }
}

void HealthServer::onReadable(QTcpSocket *socket)
{
    if (socket->property("closing").toBool()) {
        socket->readAll();
        return;
    }
    // Over the outbound budget (a client pipelining requests without reading the
    // answers): read nothing more until it drains; bytesWritten resumes.
    if (socket->bytesToWrite() > m_limits.outboundBudgetBytes)
        return;
    socket->findChild<QTimer *>(QStringLiteral("idle"))->start(int(m_limits.keepAliveIdleMs));
    QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
    QElapsedTimer slice;
    slice.start();
    for (;;) {
        if (socket->bytesToWrite() > m_limits.outboundBudgetBytes)
            break;
        if (slice.elapsed() >= kSliceMs) {
            // Pipelined requests are answered in slices: another client's probe gets its
            // turn in between (a flood of /metrics otherwise held the thread for a second).
            QMetaObject::invokeMethod(socket, [this, socket] { onReadable(socket); }, Qt::QueuedConnection);
            break;
        }
        while (buffer.startsWith("\r\n"))
            buffer.remove(0, 2);
        if (buffer.isEmpty())
            break;
        HttpRequest req;
        int status = 0;
        const auto result = HttpRequestParser::parse(buffer, &req, &status);
        if (result == HttpRequestParser::Status::Incomplete)
            break;
        if (result == HttpRequestParser::Status::Error) {
            const QString error = status == 431 ? QStringLiteral("header_too_large") : QStringLiteral("bad_request");
            write(socket, {status, json({{QStringLiteral("error"), error},
                                         {QStringLiteral("status"), status},
                                         {QStringLiteral("timestamp"), timestamp()}})}, false, false);
            buffer.clear();
            break;
        }
        buffer.remove(0, req.headerBytes);
        Reply reply;
        try {
            reply = route(req);
        } catch (const std::exception &e) {
            qCWarning(lcHealth) << "health endpoint failed:" << e.what();
            reply = {500, json({{QStringLiteral("error"), QStringLiteral("internal error")},
                                {QStringLiteral("timestamp"), timestamp()},
                                {QStringLiteral("status"), 500}})};
        }
        const bool hasBody = req.header("content-length").toLongLong() > 0 || !req.header("transfer-encoding").isEmpty();
        const bool keepAlive = req.keepAlive() && !hasBody;  // bodies are never read
        write(socket, reply, req.method == "HEAD", keepAlive);
        if (!keepAlive)
            break;
    }
    socket->setProperty("buffer", buffer);
    // An unfinished request head: its deadline runs from its first byte.
    QTimer *head = socket->findChild<QTimer *>(QStringLiteral("head"));
    if (buffer.isEmpty() || socket->property("closing").toBool())
        head->stop();
    else if (!head->isActive())
        head->start(int(m_limits.headTimeoutMs));
}

HealthServer::Reply HealthServer::route(const HttpRequest &req) const
{
    const auto error = [](int status, const QString &code) {
        return Reply{status, json({{QStringLiteral("error"), code},
                                   {QStringLiteral("status"), status},
                                   {QStringLiteral("timestamp"), timestamp()}})};
    };
    static const QStringList paths{QStringLiteral("/health"), QStringLiteral("/health/live"), QStringLiteral("/health/ready"),
                                   QStringLiteral("/health/detailed"), QStringLiteral("/metrics")};
    if (!paths.contains(req.path))
        return error(404, QStringLiteral("not_found"));
    if (req.method != "GET" && req.method != "HEAD") {
        Reply r = error(405, QStringLiteral("method_not_allowed"));
        r.extra.push_back({"Allow", "GET, HEAD"});
        return r;
    }
    if (req.path == QLatin1String("/health/live"))
        return live();
    if (req.path == QLatin1String("/health/ready"))
        return ready();
    if (req.path == QLatin1String("/metrics"))
        return metrics();
    return health(req.path == QLatin1String("/health/detailed"));
}

HealthServer::Reply HealthServer::health(bool detailed) const
{
    const HealthSnapshot snap = m_state->snapshot();
    const QString status = snap.overallStatus();
    const qint64 uptime = m_state->uptimeSeconds();
    QJsonObject o{{QStringLiteral("status"), status},
                  {QStringLiteral("timestamp"), timestamp()},
                  {QStringLiteral("version"), m_version},
                  {QStringLiteral("uptime"), uptimeText(uptime)},
                  {QStringLiteral("uptime_seconds"), uptime}};
    if (detailed) {
        QJsonArray components;
        int counts[3] = {0, 0, 0};
        for (const ComponentHealth &c : snap.components) {
            ++counts[statusLevel(c.status)];
            components.append(QJsonObject{
                {QStringLiteral("name"), c.name},
                {QStringLiteral("status"), c.status},
                {QStringLiteral("message"), c.message},
                {QStringLiteral("last_checked"), c.lastChecked.isValid() ? QJsonValue(timestamp(c.lastChecked)) : QJsonValue()},
                {QStringLiteral("details"), c.details}});
        }
        o.insert(QStringLiteral("components"), components);
        o.insert(QStringLiteral("metrics"), QJsonObject{{QStringLiteral("uptime_seconds"), uptime},
                                                         {QStringLiteral("component_count"), int(snap.components.size())},
                                                         {QStringLiteral("components_healthy"), counts[0]},
                                                         {QStringLiteral("components_degraded"), counts[1]},
                                                         {QStringLiteral("components_unhealthy"), counts[2]}});
        QMutexLocker lock(&m_envMutex);
        o.insert(QStringLiteral("environment"), m_environment);
    }
    return {status == QLatin1String("unhealthy") ? 503 : 200, json(o)};
}

HealthServer::Reply HealthServer::live() const
{
    const qint64 ms = m_state->msSinceHeartbeat();
    const bool alive = ms <= m_stallMs;
    return {alive ? 200 : 503,
            json({{QStringLiteral("alive"), alive},
                  {QStringLiteral("timestamp"), timestamp()},
                  {QStringLiteral("message"), alive ? QStringLiteral("alive")
                                                    : QStringLiteral("main event loop stalled for %1 s").arg(ms / 1000)}})};
}

HealthServer::Reply HealthServer::ready() const
{
    QStringList reasons = m_state->snapshot().readyFailures;
    // Shutdown shows at once, without waiting for the main loop's next publish.
    if (m_state->shuttingDown() && !reasons.contains(QLatin1String("shutting_down")))
        reasons.append(QStringLiteral("shutting_down"));
    QJsonObject o{{QStringLiteral("ready"), reasons.isEmpty()}, {QStringLiteral("timestamp"), timestamp()}};
    if (reasons.isEmpty()) {
        o.insert(QStringLiteral("message"), QStringLiteral("ready"));
        return {200, json(o)};
    }
    o.insert(QStringLiteral("message"), QStringLiteral("not ready: ") + reasons.first());
    o.insert(QStringLiteral("reason"), reasons.first());
    o.insert(QStringLiteral("reasons"), QJsonArray::fromStringList(reasons));
    return {503, json(o)};
}

HealthServer::Reply HealthServer::metrics() const
{
    const HealthSnapshot snap = m_state->snapshot();
    m_metrics->set(QStringLiteral("camera_station_build_info"),
                   MetricsRegistry::label(QStringLiteral("version"), m_version) + QLatin1Char(',')
                       + MetricsRegistry::label(QStringLiteral("qt_version"), QString::fromLatin1(qVersion())),
                   1);
    m_metrics->set(QStringLiteral("camera_station_uptime_seconds"), {}, double(m_state->uptimeSeconds()));
    const bool isReady = snap.readyFailures.isEmpty() && !m_state->shuttingDown();
    m_metrics->set(QStringLiteral("camera_station_ready"), {}, isReady ? 1 : 0);
    for (const ComponentHealth &c : snap.components) {
        m_metrics->set(QStringLiteral("camera_station_component_status"),
                       MetricsRegistry::label(QStringLiteral("component"), c.name), statusLevel(c.status));
    }
    return {200, m_metrics->render(), "text/plain; version=0.0.4; charset=utf-8"};
}

void HealthServer::write(QTcpSocket *socket, const Reply &reply, bool head, bool keepAlive)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    out += "Content-Type: " + reply.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    out += "Cache-Control: no-cache, no-store, must-revalidate\r\nAccess-Control-Allow-Origin: *\r\n";
    for (const auto &[name, value] : reply.extra)
        out += name + ": " + value + "\r\n";
    out += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    if (!head)
        out += reply.body;
    if (!keepAlive) {
        socket->setProperty("closing", true);
        socket->findChild<QTimer *>(QStringLiteral("idle"))->start(2000);  // bound the lingering close
    }
    socket->write(out);
}

} // namespace station::net
