#pragma once

#include "auth/Identity.h"
#include "rpc/TokenBucket.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace station::rpc {

// The state of one API connection, independent of the transport: identity,
// rate budget, subscriptions and the ordering rule that a method's response
// goes out before the notifications it caused.
class RpcSession : public QObject
{
    Q_OBJECT
public:
    RpcSession(QString clientId, QHostAddress peer, QString hostHeader, QObject *parent = nullptr);

    const QString &clientId() const { return m_clientId; }
    const QHostAddress &peer() const { return m_peer; }
    // Key of the per-address limits: the IPv4 address, or the IPv6 /64 (net::addressKey).
    QString peerKey() const;
    // Host part of the handshake's Host header, for URLs when no public host is configured.
    const QString &hostHeader() const { return m_host; }

    // Authentication
    bool isAuthenticated() const { return m_identity.valid(); }
    const auth::Identity &identity() const { return m_identity; }
    const QString &authSessionId() const { return m_authSessionId; }
    void setIdentity(const auth::Identity &identity, const QString &authSessionId);
    void clearIdentity();
    // Ends the authentication because its credential expired or was revoked:
    // later calls keep reporting that reason until the next authenticate.
    void endAuthentication(const QString &reason, const QDateTime &expiredAt);
    const QString &endedReason() const { return m_endedReason; }
    const QDateTime &endedExpiredAt() const { return m_endedExpiredAt; }
    bool hasEverAuthenticated() const { return m_everAuthenticated; }

    // Subscriptions: canonical topic -> device filter ("" = none)
    QHash<QString, QString> &subscriptions() { return m_subscriptions; }
    const QHash<QString, QString> &subscriptions() const { return m_subscriptions; }

    TokenBucket &bucket() { return m_bucket; }
    void setBucket(const TokenBucket &b) { m_bucket = b; }

    // Flood accounting: -32040 answers within the last 10 s.
    int noteRateLimited(qint64 nowMs);

    // Transport hooks
    std::function<void(const QByteArray &)> sendHook;
    std::function<void(int code, const QString &reason)> closeHook;

    void sendResponse(const QByteArray &json);     // always immediate
    void sendNotification(const QByteArray &json); // held while calls are in flight (at most kMaxHeldNotificationBytes)
    static constexpr qint64 kMaxHeldNotificationBytes = 4 * 1024 * 1024;
    void beginCall() { ++m_inFlight; }
    void endCall();
    int inFlight() const { return m_inFlight; }
    void close(int code, const QString &reason);

Q_SIGNALS:
    void authenticationChanged();

private:
    QString m_clientId;
    QHostAddress m_peer;
    QString m_host;
    auth::Identity m_identity;
    QString m_authSessionId;
    QString m_endedReason;
    QDateTime m_endedExpiredAt;
    bool m_everAuthenticated = false;
    QHash<QString, QString> m_subscriptions;
    TokenBucket m_bucket;
    int m_inFlight = 0;
    QList<QByteArray> m_heldNotifications;
    qint64 m_heldBytes = 0;
    bool m_heldOverflow = false;
    QList<qint64> m_rateLimitedTimes;
};

} // namespace station::rpc
