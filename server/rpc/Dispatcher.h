#pragma once

#include "auth/Identity.h"
#include "auth/Role.h"
#include "rpc/RpcError.h"
#include "rpc/TokenBucket.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace station::config { class Config; }
namespace station::health { class MetricsRegistry; }

namespace station::rpc {

class RpcSession;

// A handler's answer: a result, or an error of the catalog.
struct Outcome {
    QJsonValue result;
    std::optional<RpcError> error;
    Outcome(QJsonValue r = QJsonValue()) : result(std::move(r)) {}  // NOLINT: implicit on purpose
    Outcome(RpcError e) : error(std::move(e)) {}                     // NOLINT
    Outcome(QJsonObject o) : result(std::move(o)) {}                 // NOLINT
    // A result already serialised as compact JSON (large listings build their
    // text directly instead of a QJsonObject tree; see common/JsonText.h).
    static Outcome serialised(QByteArray json)
    {
        Outcome o;
        o.rawResult = std::move(json);
        return o;
    }
    QByteArray rawResult;  // non-empty: the result, as JSON text; `result` is unused
};

struct CallContext {
    RpcSession *session = nullptr;  // never null while the handler runs synchronously
    QString method;
    QString requestId;              // correlates -32603 with the log
};

using Reply = std::function<void(Outcome)>;
using SyncHandler = std::function<Outcome(const CallContext &, const QJsonObject &)>;
using AsyncHandler = std::function<void(const CallContext &, const QJsonObject &, Reply)>;

struct MethodSpec {
    QString name;
    auth::Role minRole = auth::Role::Viewer;  // Role::None: callable without authentication
    SyncHandler sync;
    AsyncHandler async;
    QString timeoutDependency = QStringLiteral("mediamtx");  // named in -32050 when the deadline passes
    qint64 deadlineMs = 0;                                   // 0: server.request_timeout_s
};

// The JSON-RPC 2.0 pipeline of API.md §2.4: message → envelope → rate limit →
// method → authentication → role → params → handler. Transport-agnostic: the
// WebSocket layer feeds text messages and RpcSession carries the replies.
class Dispatcher : public QObject
{
    Q_OBJECT
public:
    Dispatcher(const config::Config &config, health::MetricsRegistry *metrics, QObject *parent = nullptr);
    ~Dispatcher() override;

    void registerMethod(MethodSpec spec);
    void registerSync(const QString &name, auth::Role minRole, SyncHandler handler);
    void registerAsync(const QString &name, auth::Role minRole, AsyncHandler handler, const QString &timeoutDependency = QStringLiteral("mediamtx"));
    bool hasMethod(const QString &name) const { return m_methods.contains(name); }
    QStringList methodNames() const;

    // Rechecks a held credential on every call (API key revocation/expiry).
    std::function<auth::AuthResult(const auth::Identity &)> recheckCredential;

    void attach(RpcSession *session);  // gives a new connection its rate budget
    void handleMessage(RpcSession *session, const QByteArray &text);

    // Brute-force limit of failed authenticate calls per address (§2.6).
    bool authFailuresExceeded(const QString &peerKey, qint64 *retryAfterMs);
    void noteAuthFailure(const QString &peerKey);

    struct Stats {
        quint64 requests = 0;
        quint64 errors = 0;
    };
    const Stats &stats() const { return m_stats; }

    // When an address's last connection closes: drops address states back at their initial state.
    void forgetAddress(const QString &peerKey);

private:
    struct Batch;
    using Done = std::function<void(const QByteArray &response)>;  // empty: nothing to send (a notification)

    void dispatchSingle(RpcSession *session, const QJsonValue &request);
    void processRequest(RpcSession *session, const QJsonValue &request, Done done);
    void runBatchStep(const std::shared_ptr<Batch> &batch);
    QByteArray makeResponse(const QJsonValue &id, const Outcome &outcome) const;
    std::optional<RpcError> checkRate(RpcSession *session, qint64 nowMs);
    void record(const QString &method, const Outcome &outcome, qint64 elapsedNs);

    const config::Config &m_config;
    health::MetricsRegistry *m_metrics;
    QHash<QString, MethodSpec> m_methods;
    struct AddressState {
        TokenBucket bucket;
        QList<qint64> authFailures;
    };
    QHash<QString, AddressState> m_addresses;
    QElapsedTimer m_clock;
    quint64 m_requestCounter = 0;
    Stats m_stats;
    // cached config
    double m_perSecond, m_burst, m_addrPerSecond, m_addrBurst;
    int m_maxBatch, m_maxInFlight, m_authFailuresPerMinute;
    qint64 m_defaultDeadlineMs;
    qint64 m_maxBatchResponseBytes;
};

} // namespace station::rpc
