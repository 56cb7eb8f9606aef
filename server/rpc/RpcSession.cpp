#include "rpc/RpcSession.h"

#include "net/ConnectionLimits.h"

namespace station::rpc {

RpcSession::RpcSession(QString clientId, QHostAddress peer, QString hostHeader, QObject *parent)
    : QObject(parent), m_clientId(std::move(clientId)), m_peer(std::move(peer)), m_host(std::move(hostHeader))
{
}

void RpcSession::setIdentity(const auth::Identity &identity, const QString &authSessionId)
{
    m_identity = identity;
    m_authSessionId = authSessionId;
    m_endedReason.clear();
    m_endedExpiredAt = QDateTime();
    m_everAuthenticated = true;
    Q_EMIT authenticationChanged();
}

void RpcSession::clearIdentity()
{
    if (!m_identity.valid())
        return;
    m_identity = auth::Identity();
    Q_EMIT authenticationChanged();
}

void RpcSession::endAuthentication(const QString &reason, const QDateTime &expiredAt)
{
    m_endedReason = reason;
    m_endedExpiredAt = expiredAt;
    clearIdentity();
}

int RpcSession::noteRateLimited(qint64 nowMs)
{
    m_rateLimitedTimes.append(nowMs);
    while (!m_rateLimitedTimes.isEmpty() && m_rateLimitedTimes.first() < nowMs - 10000)
        m_rateLimitedTimes.removeFirst();
    return int(m_rateLimitedTimes.size());
}

void RpcSession::sendResponse(const QByteArray &json)
{
    if (sendHook)
        sendHook(json);
}

void RpcSession::sendNotification(const QByteArray &json)
{
    if (m_inFlight > 0) {
        // Held until the call in flight has answered. A call that never ends (a slow
        // dependency, a client keeping calls in flight) must not grow this without
        // bound: past the cap the connection is closed, with the reason.
        if (m_heldBytes + json.size() > kMaxHeldNotificationBytes) {
            if (!m_heldOverflow) {
                m_heldOverflow = true;
                close(1008, QStringLiteral("notification backlog over limit"));
            }
            return;
        }
        m_heldBytes += json.size();
        m_heldNotifications.append(json);
        return;
    }
    if (sendHook)
        sendHook(json);
}

void RpcSession::endCall()
{
    if (m_inFlight > 0)
        --m_inFlight;
    if (m_inFlight == 0 && !m_heldNotifications.isEmpty()) {
        const QList<QByteArray> held = std::exchange(m_heldNotifications, {});
        m_heldBytes = 0;
        for (const QByteArray &n : held) {
            if (sendHook)
                sendHook(n);
        }
    }
}

void RpcSession::close(int code, const QString &reason)
{
    if (closeHook)
        closeHook(code, reason);
}

QString RpcSession::peerKey() const
{
    return net::addressKey(m_peer);
}

} // namespace station::rpc
