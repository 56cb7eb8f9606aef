#include "rpc/RpcSession.h"

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

} // namespace station::rpc
