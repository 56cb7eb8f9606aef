#include "ClientWorker.h"

#include "BenchClock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QWebSocket>

namespace bench {

namespace {

constexpr qint64 kHandshakeTimeoutMs = 15000;
constexpr qint64 kAuthId = 1;
constexpr qint64 kSubscribeId = 2;
const QLatin1String kResponsePrefix("{\"id\":");
const QLatin1String kNotificationPrefix("{\"jsonrpc\":\"2.0\",\"method\":\"");

} // namespace

void PhaseResult::merge(const PhaseResult &o)
{
    latenciesNs.insert(latenciesNs.end(), o.latenciesNs.begin(), o.latenciesNs.end());
    sent += o.sent;
    ok += o.ok;
    errors += o.errors;
    timeouts += o.timeouts;
    skipped += o.skipped;
    inWindow += o.inWindow;
    maxSendLagNs = std::max(maxSendLagNs, o.maxSendLagNs);
    lateSends += o.lateSends;
    for (auto it = o.errorCodes.cbegin(); it != o.errorCodes.cend(); ++it)
        errorCodes[it.key()] += it.value();
}

ClientWorker::ClientWorker(int workerId, QUrl url, QByteArray token, QObject *parent)
    : QObject(parent), m_workerId(workerId), m_url(std::move(url)), m_token(std::move(token)), m_tick(this)
{
    m_tick.setTimerType(Qt::PreciseTimer);
    m_tick.setInterval(1);
    connect(&m_tick, &QTimer::timeout, this, &ClientWorker::tick);
}

ClientWorker::~ClientWorker()
{
    qDeleteAll(m_conns);
}

void ClientWorker::openConnections(int count, QStringList topics, int maxConcurrent)
{
    m_topics = std::move(topics);
    m_maxConcurrent = std::max(1, maxConcurrent);
    m_toOpen += count;
    openNext();
}

void ClientWorker::openNext()
{
    while (m_toOpen > 0 && m_inHandshake < m_maxConcurrent) {
        --m_toOpen;
        ++m_inHandshake;
        auto *c = new Conn;
        c->index = int(m_conns.size());
        c->ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
        m_conns.append(c);
        QWebSocket *ws = c->ws;
        connect(ws, &QWebSocket::connected, this, [this, c] { onConnected(c); });
        connect(ws, &QWebSocket::textMessageReceived, this, [this, c](const QString &t) { onText(c, t); });
        connect(ws, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this, c](QAbstractSocket::SocketError) {
            if (c->state < Conn::Ready)
                fail(c, c->ws->errorString());
        });
        connect(ws, &QWebSocket::disconnected, this, [this, c] {
            if (c->state < Conn::Ready) {
                fail(c, QStringLiteral("disconnected during handshake/authentication"));
            } else if (c->state == Conn::Ready) {
                c->state = Conn::Closed;
                ++disconnected;
            }
        });
        QTimer::singleShot(kHandshakeTimeoutMs, ws, [this, c] {
            if (c->state < Conn::Ready)
                fail(c, QStringLiteral("timeout opening/authenticating"));
        });
        ws->open(m_url);
    }
}

void ClientWorker::fail(Conn *c, const QString &why)
{
    if (c->state >= Conn::Ready)
        return;
    c->state = Conn::Failed;
    lastFailure = why;
    ++failed;
    --m_inHandshake;
    c->ws->abort();
    QTimer::singleShot(0, this, [this] { openNext(); });
}

void ClientWorker::onConnected(Conn *c)
{
    c->state = Conn::Authenticating;
    const QJsonObject req{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                          {QStringLiteral("method"), QStringLiteral("authenticate")},
                          {QStringLiteral("params"), QJsonObject{{QStringLiteral("auth_token"), QString::fromLatin1(m_token)}}},
                          {QStringLiteral("id"), kAuthId}};
    c->ws->sendTextMessage(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
}

void ClientWorker::onText(Conn *c, const QString &text)
{
    const qint64 now = monoNs();
    if (c->state == Conn::Ready || c->state == Conn::Closed) {
        // Fast path: the server's success responses start with {"id":N (keys are sorted).
        if (text.startsWith(kResponsePrefix)) {
            qint64 id = 0;
            qsizetype i = kResponsePrefix.size();
            const qsizetype digitsFrom = i;
            while (i < text.size() && text.at(i).isDigit())
                id = id * 10 + (text.at(i++).unicode() - '0');
            if (i > digitsFrom) {
                onResponse(c, id, now, 0);
                return;
            }
        }
        if (text.startsWith(kNotificationPrefix)) {
            const QStringView method = QStringView(text).mid(kNotificationPrefix.size(), 20);
            const bool health = method.startsWith(u"system.health\"");
            const bool shutdown = method.startsWith(u"system.shutdown\"");
            if (health || shutdown) {
                m_notes.append(Received{c->index, now, wallNs(), text});
                if (health)
                    ++healthSeen;
                else
                    ++shutdownSeen;
            }
            return;
        }
    }
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    if (!o.contains(QLatin1String("id")))
        return;  // some other notification
    const qint64 id = qint64(o.value(QLatin1String("id")).toDouble(-1));
    const int code = o.contains(QLatin1String("error")) ? o.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(-1) : 0;
    if (c->state == Conn::Authenticating && id == kAuthId) {
        if (code != 0) {
            fail(c, QStringLiteral("authenticate failed: %1").arg(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact))));
            return;
        }
        if (m_topics.isEmpty()) {
            c->state = Conn::Ready;
        } else {
            c->state = Conn::Subscribing;
            const QJsonObject req{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                  {QStringLiteral("method"), QStringLiteral("subscribe_events")},
                                  {QStringLiteral("params"), QJsonObject{{QStringLiteral("topics"), QJsonArray::fromStringList(m_topics)}}},
                                  {QStringLiteral("id"), kSubscribeId}};
            c->ws->sendTextMessage(QString::fromUtf8(QJsonDocument(req).toJson(QJsonDocument::Compact)));
            return;
        }
    } else if (c->state == Conn::Subscribing && id == kSubscribeId) {
        if (code != 0) {
            fail(c, QStringLiteral("subscribe_events failed: %1").arg(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact))));
            return;
        }
        c->state = Conn::Ready;
    } else if (c->state == Conn::Ready || c->state == Conn::Closed) {
        onResponse(c, id, now, code);
        return;
    } else {
        return;
    }
    // reached Ready
    --m_inHandshake;
    ++ready;
    openNext();
}

void ClientWorker::onResponse(Conn *c, qint64 id, qint64 nowNs, int errorCode)
{
    const auto it = c->pending.constFind(id);
    if (it == c->pending.cend())
        return;  // answered after its phase was closed (already counted as a timeout)
    const Pending p = *it;
    c->pending.erase(it);
    PhaseResult &r = m_results[p.phase];
    if (p.phase == m_phase && nowNs <= m_phaseEndNs)
        ++r.inWindow;
    if (errorCode != 0) {
        ++r.errors;
        r.errorCodes[errorCode] += 1;
        return;
    }
    ++r.ok;
    r.latenciesNs.push_back(nowNs - p.sentNs);
}

void ClientWorker::startPhase(int phase, const QString &method, const QByteArray &paramsJson, qint64 startMonoNs,
                              qint64 durationNs, double ratePerConn, int maxOutstanding)
{
    m_phase = phase;
    m_method = method;
    m_params = paramsJson;
    m_phaseStartNs = startMonoNs;
    m_phaseEndNs = startMonoNs + durationNs;
    m_periodNs = qint64(1e9 / ratePerConn);
    m_maxOutstanding = maxOutstanding;
    m_results[phase] = PhaseResult{};
    QRandomGenerator *rng = QRandomGenerator::global();
    for (Conn *c : std::as_const(m_conns))
        c->nextDueNs = startMonoNs + qint64(rng->bounded(double(m_periodNs)));
    m_tick.start();
}

void ClientWorker::tick()
{
    const qint64 now = monoNs();
    if (now >= m_phaseEndNs) {
        m_tick.stop();
        return;
    }
    for (Conn *c : std::as_const(m_conns)) {
        if (c->state != Conn::Ready || c->nextDueNs > now)
            continue;
        sendRequest(c, now, c->nextDueNs);
        c->nextDueNs += m_periodNs;
    }
}

void ClientWorker::sendRequest(Conn *c, qint64 nowNs, qint64 dueNs)
{
    PhaseResult &r = m_results[m_phase];
    const qint64 lag = nowNs - dueNs;
    r.maxSendLagNs = std::max(r.maxSendLagNs, lag);
    if (lag > 5'000'000)
        ++r.lateSends;
    if (c->pending.size() >= m_maxOutstanding) {
        ++r.skipped;  // the server is this far behind on this connection: do not pile up more
        return;
    }
    const qint64 id = c->nextId++;
    const QByteArray msg = QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"method\":\"") + m_method.toLatin1()
        + QByteArrayLiteral("\",\"params\":") + m_params + QByteArrayLiteral(",\"id\":") + QByteArray::number(id) + '}';
    c->pending.insert(id, Pending{monoNs(), m_phase});
    c->ws->sendTextMessage(QString::fromLatin1(msg));
    ++r.sent;
}

qint64 ClientWorker::pendingOf(int phase) const
{
    qint64 n = 0;
    for (const Conn *c : m_conns)
        for (const Pending &p : c->pending)
            n += p.phase == phase ? 1 : 0;
    return n;
}

PhaseResult ClientWorker::takePhaseResult(int phase)
{
    PhaseResult r = m_results.take(phase);
    for (Conn *c : std::as_const(m_conns)) {
        for (auto it = c->pending.begin(); it != c->pending.end();) {
            if (it->phase == phase) {
                ++r.timeouts;
                it = c->pending.erase(it);
            } else {
                ++it;
            }
        }
    }
    return r;
}

QList<Received> ClientWorker::takeNotifications()
{
    return std::exchange(m_notes, {});
}

void ClientWorker::closeAll()
{
    m_tick.stop();
    for (Conn *c : std::as_const(m_conns)) {
        if (c->ws) {
            c->ws->disconnect(this);
            c->ws->abort();
            c->ws->deleteLater();
            c->ws = nullptr;
        }
    }
    qDeleteAll(m_conns);
    m_conns.clear();
}

} // namespace bench
