#include "rpc/Dispatcher.h"

#include "config/Config.h"
#include "health/MetricsRegistry.h"
#include "rpc/RpcSession.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

#include <cmath>

Q_LOGGING_CATEGORY(lcRpc, "station.rpc")

namespace station::rpc {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;
constexpr qint64 kBatchSliceMs = 5;  // a batch yields to the event loop after this much work

// Envelope check of §2.2. Returns the id to echo (null when invalid) and an
// error hint when the envelope is bad. *isNotification: no id member.
struct Envelope {
    QJsonValue id = QJsonValue::Null;
    bool isNotification = false;
    QString badHint;  // non-empty: -32600
    QString method;
    QJsonValue params;
};

Envelope readEnvelope(const QJsonValue &value)
{
    Envelope env;
    if (!value.isObject()) {
        env.badHint = QStringLiteral("a request must be a JSON object");
        return env;
    }
    const QJsonObject obj = value.toObject();
    if (!obj.contains(QLatin1String("id"))) {
        env.isNotification = true;
    } else {
        const QJsonValue id = obj.value(QLatin1String("id"));
        if (id.isString()) {
            if (id.toString().size() > 128)
                env.badHint = QStringLiteral("id must be at most 128 characters");
            else
                env.id = id;
        } else if (id.isDouble()) {
            const double d = id.toDouble();
            if (std::floor(d) != d || std::fabs(d) > kMaxSafeInteger)
                env.badHint = QStringLiteral("id must be a string, an integer or null");
            else
                env.id = id;
        } else if (!id.isNull()) {
            env.badHint = QStringLiteral("id must be a string, an integer or null");
        }
    }
    if (!env.badHint.isEmpty())
        return env;
    if (obj.value(QLatin1String("jsonrpc")) != QJsonValue(QStringLiteral("2.0"))) {
        env.badHint = QStringLiteral("jsonrpc must be \"2.0\"");
        return env;
    }
    const QJsonValue method = obj.value(QLatin1String("method"));
    if (!method.isString()) {
        env.badHint = QStringLiteral("method must be a string");
        return env;
    }
    env.method = method.toString();
    env.params = obj.value(QLatin1String("params"));
    if (!env.params.isUndefined() && !env.params.isNull() && !env.params.isObject() && !env.params.isArray())
        env.badHint = QStringLiteral("params must be an object");
    return env;
}

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString codeLabel(const Outcome &o)
{
    return o.error ? QString::number(o.error->code) : QStringLiteral("ok");
}

} // namespace

struct Dispatcher::Batch {
    QPointer<RpcSession> session;
    QJsonArray entries;
    qsizetype index = 0;
    QList<QByteArray> responses;  // serialised once, joined at the end
    qint64 responseBytes = 0;
};

Dispatcher::Dispatcher(const config::Config &config, health::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_config(config), m_metrics(metrics)
{
    m_clock.start();
    m_perSecond = double(config.integer(QStringLiteral("security.rate_limit.per_second")));
    m_burst = double(config.integer(QStringLiteral("security.rate_limit.burst")));
    m_addrPerSecond = double(config.integer(QStringLiteral("security.rate_limit.per_address_per_second")));
    m_addrBurst = double(config.integer(QStringLiteral("security.rate_limit.per_address_burst")));
    m_maxBatch = config.integer32(QStringLiteral("server.max_batch_size"));
    m_maxBatchResponseBytes = config.integer(QStringLiteral("server.max_batch_response_bytes"));
    m_maxInFlight = config.integer32(QStringLiteral("server.max_in_flight"));
    m_authFailuresPerMinute = config.integer32(QStringLiteral("security.auth_failures_per_minute"));
    m_defaultDeadlineMs = config.integer(QStringLiteral("server.request_timeout_s")) * 1000;
    if (m_metrics) {
        using T = health::MetricsRegistry::Type;
        m_metrics->declare(QStringLiteral("camera_station_rpc_requests_total"), T::Counter, QStringLiteral("JSON-RPC requests by method and result code"));
        m_metrics->declare(QStringLiteral("camera_station_rpc_request_duration_seconds"), T::Histogram,
                           QStringLiteral("JSON-RPC handling time"), {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
        m_metrics->declare(QStringLiteral("camera_station_rate_limited_total"), T::Counter, QStringLiteral("requests answered -32040"));
        m_metrics->add(QStringLiteral("camera_station_rate_limited_total"), {}, 0);  // a series from the start
        m_metrics->declare(QStringLiteral("camera_station_auth_failures_total"), T::Counter, QStringLiteral("failed authentications by reason"));
    }
}

Dispatcher::~Dispatcher() = default;

void Dispatcher::registerMethod(MethodSpec spec)
{
    const QString name = spec.name;
    m_methods.insert(name, std::move(spec));
}

void Dispatcher::registerSync(const QString &name, auth::Role minRole, SyncHandler handler)
{
    MethodSpec spec;
    spec.name = name;
    spec.minRole = minRole;
    spec.sync = std::move(handler);
    registerMethod(std::move(spec));
}

void Dispatcher::registerAsync(const QString &name, auth::Role minRole, AsyncHandler handler, const QString &timeoutDependency)
{
    MethodSpec spec;
    spec.name = name;
    spec.minRole = minRole;
    spec.async = std::move(handler);
    spec.timeoutDependency = timeoutDependency;
    registerMethod(std::move(spec));
}

QStringList Dispatcher::methodNames() const
{
    QStringList names = m_methods.keys();
    names.sort();
    return names;
}

void Dispatcher::attach(RpcSession *session)
{
    session->setBucket(TokenBucket(m_perSecond, m_burst));
}

void Dispatcher::forgetAddress(const QString &)
{
    // An address state is dropped only once it is back to its initial state (bucket
    // refilled, no auth failure in the last minute): reconnecting must not reset the
    // per-address rate budget (§15) nor the brute-force count (§2.6). Sweeping every
    // address here also drops states whose connections closed while still limited.
    const qint64 now = m_clock.elapsed();
    for (auto it = m_addresses.begin(); it != m_addresses.end();) {
        while (!it->authFailures.isEmpty() && it->authFailures.first() <= now - 60000)
            it->authFailures.removeFirst();
        if (it->authFailures.isEmpty() && it->bucket.isFull(now))
            it = m_addresses.erase(it);
        else
            ++it;
    }
}

bool Dispatcher::authFailuresExceeded(const QString &peerKey, qint64 *retryAfterMs)
{
    auto it = m_addresses.find(peerKey);
    if (it == m_addresses.end())
        return false;
    const qint64 now = m_clock.elapsed();
    while (!it->authFailures.isEmpty() && it->authFailures.first() <= now - 60000)
        it->authFailures.removeFirst();
    if (it->authFailures.size() < m_authFailuresPerMinute)
        return false;
    *retryAfterMs = std::max<qint64>(1, it->authFailures.first() + 60000 - now);
    return true;
}

void Dispatcher::noteAuthFailure(const QString &peerKey)
{
    auto it = m_addresses.find(peerKey);
    if (it == m_addresses.end())
        it = m_addresses.insert(peerKey, AddressState{TokenBucket(m_addrPerSecond, m_addrBurst), {}});
    it->authFailures.append(m_clock.elapsed());
}

std::optional<RpcError> Dispatcher::checkRate(RpcSession *session, qint64 nowMs)
{
    qint64 retry = 0;
    bool ok = session->bucket().take(nowMs, &retry);
    if (ok) {
        auto it = m_addresses.find(session->peerKey());
        if (it == m_addresses.end())
            it = m_addresses.insert(session->peerKey(), AddressState{TokenBucket(m_addrPerSecond, m_addrBurst), {}});
        ok = it->bucket.take(nowMs, &retry);
    }
    if (ok)
        return std::nullopt;
    if (m_metrics)
        m_metrics->add(QStringLiteral("camera_station_rate_limited_total"));
    if (session->noteRateLimited(nowMs) > 200) {
        // Persistent flooding (§15): close with 1008 once the answers are out.
        QPointer<RpcSession> s(session);
        QTimer::singleShot(0, session, [s] {
            if (s)
                s->close(1008, QStringLiteral("persistent flooding"));
        });
    }
    return RpcError::rateLimited(retry);
}

void Dispatcher::handleMessage(RpcSession *session, const QByteArray &text)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &perr);
    if (perr.error != QJsonParseError::NoError) {
        // QJsonDocument only parses objects and arrays; a valid scalar
        // (42, "ping", null) is valid JSON but an invalid request.
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + text + ']');
        if (wrapped.isArray() && wrapped.array().size() == 1) {
            dispatchSingle(session, wrapped.array().first());
            return;
        }
        ++m_stats.requests;
        ++m_stats.errors;
        // Invalid JSON costs a token like any request and counts towards the flood
        // close: otherwise a client could make us parse and answer it without limit.
        const RpcError error = checkRate(session, m_clock.elapsed()).value_or(
            RpcError::parseError(QStringLiteral("invalid JSON at offset %1: %2").arg(perr.offset).arg(perr.errorString())));
        record(QStringLiteral("unknown"), Outcome(error), 0);
        session->sendResponse(makeResponse(QJsonValue::Null, Outcome(error)));
        return;
    }
    if (doc.isArray()) {
        const QJsonArray entries = doc.array();
        if (entries.isEmpty() || entries.size() > m_maxBatch) {
            ++m_stats.requests;
            ++m_stats.errors;
            const RpcError error = checkRate(session, m_clock.elapsed()).value_or(RpcError::invalidRequest(
                entries.isEmpty() ? QStringLiteral("empty batch") : QStringLiteral("batch larger than %1 entries").arg(m_maxBatch)));
            session->sendResponse(makeResponse(QJsonValue::Null, Outcome(error)));
            return;
        }
        auto batch = std::make_shared<Batch>();
        batch->session = session;
        batch->entries = entries;
        session->beginCall();  // hold notifications until the batch answer is out
        runBatchStep(batch);
        return;
    }
    dispatchSingle(session, doc.object());
}

void Dispatcher::dispatchSingle(RpcSession *session, const QJsonValue &request)
{
    session->beginCall();
    QPointer<RpcSession> s(session);
    processRequest(session, request, [s](const QByteArray &response) {
        if (!s)
            return;
        if (!response.isEmpty())
            s->sendResponse(response);
        s->endCall();
    });
}

void Dispatcher::runBatchStep(const std::shared_ptr<Batch> &batch)
{
    // Entries run one after another, in array order (§2.3). After each synchronous
    // entry that took a while, the rest continues on a later event-loop turn, so a
    // heavy batch does not stall other clients.
    QElapsedTimer slice;
    slice.start();
    while (batch->session && batch->index < batch->entries.size()) {
        if (slice.elapsed() >= kBatchSliceMs) {
            QTimer::singleShot(0, this, [this, batch] { runBatchStep(batch); });
            return;
        }
        const QJsonValue entry = batch->entries.at(batch->index++);
        if (batch->responseBytes > m_maxBatchResponseBytes) {
            // The batch's answer is already as large as one batch may make: the remaining
            // entries are refused unrun (they cost a token all the same).
            ++m_stats.requests;
            ++m_stats.errors;
            const Envelope env = readEnvelope(entry);
            RpcError error = checkRate(batch->session, m_clock.elapsed()).value_or(RpcError::rateLimited(1000));
            error.data.insert(QStringLiteral("reason"), QStringLiteral("batch_response_limit"));
            error.data.insert(QStringLiteral("limit_bytes"), m_maxBatchResponseBytes);
            record(env.method, Outcome(error), 0);
            if (!env.isNotification)
                batch->responses.append(makeResponse(env.id, Outcome(error)));
            continue;
        }
        bool completedSynchronously = false;
        bool inThisCall = true;
        processRequest(batch->session, entry, [this, batch, &completedSynchronously, &inThisCall](const QByteArray &response) {
            if (!response.isEmpty()) {
                batch->responses.append(response);
                batch->responseBytes += batch->responses.last().size();
            }
            if (inThisCall)
                completedSynchronously = true;
            else
                runBatchStep(batch);
        });
        inThisCall = false;
        if (!completedSynchronously)
            return;  // an async entry continues the batch when it replies
    }
    if (!batch->session)
        return;
    if (!batch->responses.isEmpty())
        batch->session->sendResponse('[' + batch->responses.join(',') + ']');
    batch->session->endCall();
}

QByteArray Dispatcher::makeResponse(const QJsonValue &id, const Outcome &outcome) const
{
    if (!outcome.error && !outcome.rawResult.isEmpty()) {
        // Same member order as QJsonObject's (sorted keys) for every other answer.
        QByteArray idJson = QJsonDocument(QJsonArray{id}).toJson(QJsonDocument::Compact);
        idJson = idJson.mid(1, idJson.size() - 2);  // the id alone, out of its one-element array
        QByteArray r;
        r.reserve(outcome.rawResult.size() + idJson.size() + 32);
        r.append("{\"id\":").append(idJson).append(",\"jsonrpc\":\"2.0\",\"result\":").append(outcome.rawResult).append('}');
        return r;
    }
    QJsonObject r{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}};
    if (outcome.error)
        r.insert(QStringLiteral("error"), outcome.error->toJson());
    else
        r.insert(QStringLiteral("result"), outcome.result.isUndefined() ? QJsonValue(QJsonValue::Null) : outcome.result);
    r.insert(QStringLiteral("id"), id);
    return toJson(r);
}

void Dispatcher::record(const QString &method, const Outcome &outcome, qint64 elapsedNs)
{
    if (!m_metrics)
        return;
    const QString m = m_methods.contains(method) ? method : QStringLiteral("unknown");
    m_metrics->add(QStringLiteral("camera_station_rpc_requests_total"),
                   health::MetricsRegistry::label(QStringLiteral("method"), m) + QLatin1Char(',')
                       + health::MetricsRegistry::label(QStringLiteral("code"), codeLabel(outcome)));
    m_metrics->observe(QStringLiteral("camera_station_rpc_request_duration_seconds"),
                       health::MetricsRegistry::label(QStringLiteral("method"), m), double(elapsedNs) / 1e9);
}

void Dispatcher::processRequest(RpcSession *session, const QJsonValue &request, Done done)
{
    ++m_stats.requests;
    QElapsedTimer timer;
    timer.start();
    const qint64 nowMs = m_clock.elapsed();
    const Envelope env = readEnvelope(request);

    auto finish = [this, done, env, timer](const QString &method, const Outcome &outcome) {
        if (outcome.error)
            ++m_stats.errors;
        record(method, outcome, timer.nsecsElapsed());
        done(env.isNotification ? QByteArray() : makeResponse(env.id, outcome));
    };

    // Step 3 comes before step 2's answer: every request object consumes a token.
    if (std::optional<RpcError> limited = checkRate(session, nowMs)) {
        finish(env.method, Outcome(*limited));
        return;
    }
    if (!env.badHint.isEmpty()) {
        finish(QString(), Outcome(RpcError::invalidRequest(env.badHint)));
        return;
    }
    if (session->inFlight() > m_maxInFlight) {
        finish(env.method, Outcome(RpcError::rateLimited(50)));
        return;
    }
    auto it = m_methods.constFind(env.method);
    if (it == m_methods.constEnd()) {
        finish(env.method, Outcome(RpcError::methodNotFound(env.method)));
        return;
    }
    const MethodSpec &spec = *it;

    if (spec.minRole != auth::Role::None) {
        if (!session->isAuthenticated()) {
            // After expiry or revocation every call keeps reporting why (§2.6), until a new authenticate.
            const RpcError e = session->endedReason().isEmpty()
                ? RpcError::authFailed(QStringLiteral("not_authenticated"))
                : RpcError::authFailed(session->endedReason(), session->endedExpiredAt());
            finish(env.method, Outcome(e));
            return;
        }
        // Expiry and revocation are checked on every call (§2.6).
        const auth::Identity &id = session->identity();
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QString endReason;
        QDateTime endExpiredAt;
        if (id.expiresAt.isValid() && now >= id.expiresAt) {
            endReason = id.authMethod == QLatin1String("api_key") ? QStringLiteral("api_key_expired") : QStringLiteral("token_expired");
            endExpiredAt = id.expiresAt;
        } else if (recheckCredential && id.authMethod == QLatin1String("api_key")) {
            const auth::AuthResult r = recheckCredential(id);
            if (!r.ok) {
                endReason = r.reason;
                endExpiredAt = r.expiredAt;
            } else if (r.identity.role != id.role) {
                // The key's role was changed in its store: the live session follows at once.
                auth::Identity updated = id;
                updated.role = r.identity.role;
                qCInfo(lcRpc).noquote() << session->clientId() << "API key" << id.apiKeyId << "role now" << auth::roleName(updated.role);
                session->setIdentity(updated, session->authSessionId());
            }
        }
        if (!endReason.isEmpty()) {
            session->endAuthentication(endReason, endExpiredAt);
            finish(env.method, Outcome(RpcError::authFailed(endReason, endExpiredAt)));
            return;
        }
        if (session->identity().role < spec.minRole) {
            finish(env.method, Outcome(RpcError::permissionDenied(auth::roleName(spec.minRole), auth::roleName(session->identity().role))));
            return;
        }
    }

    if (env.params.isArray()) {
        finish(env.method, Outcome(RpcError::invalidParams(QStringLiteral("params"), QStringLiteral("by_name_only"),
                                                           QStringLiteral("parameters must be named (an object)"))));
        return;
    }
    const QJsonObject params = env.params.toObject();
    CallContext ctx{session, env.method, QStringLiteral("req-%1").arg(++m_requestCounter)};

    if (spec.sync) {
        Outcome outcome;
        try {
            outcome = spec.sync(ctx, params);
        } catch (const std::exception &e) {
            qCWarning(lcRpc) << "handler" << env.method << "failed:" << e.what() << ctx.requestId;
            outcome = Outcome(RpcError::internal(ctx.requestId));
        }
        finish(env.method, outcome);
        return;
    }

    // Asynchronous handler: exactly one reply, or the deadline's -32050.
    struct Pending {
        bool replied = false;
        QTimer *deadline = nullptr;
    };
    auto pending = std::make_shared<Pending>();
    const qint64 deadlineMs = spec.deadlineMs > 0 ? spec.deadlineMs : m_defaultDeadlineMs;
    Reply reply = [pending, finish, method = env.method](Outcome outcome) {
        if (pending->replied)
            return;
        pending->replied = true;
        if (pending->deadline)
            pending->deadline->deleteLater();
        finish(method, outcome);
    };
    pending->deadline = new QTimer(this);
    pending->deadline->setSingleShot(true);
    const QString dependency = spec.timeoutDependency;
    connect(pending->deadline, &QTimer::timeout, this, [reply, dependency, deadlineMs] {
        reply(Outcome(RpcError::dependency(dependency, QStringLiteral("timeout after %1 s").arg(deadlineMs / 1000))));
    });
    pending->deadline->start(int(deadlineMs));
    try {
        spec.async(ctx, params, reply);
    } catch (const std::exception &e) {
        qCWarning(lcRpc) << "handler" << env.method << "failed:" << e.what() << ctx.requestId;
        reply(Outcome(RpcError::internal(ctx.requestId)));
    }
}

} // namespace station::rpc
