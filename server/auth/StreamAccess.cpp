#include "auth/StreamAccess.h"

#include "auth/JwtService.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QUrlQuery>

namespace station::auth {

namespace {

// Compares without an early exit, so the time taken does not tell how much matched.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray x = QCryptographicHash::hash(a.toUtf8(), QCryptographicHash::Sha256);
    const QByteArray y = QCryptographicHash::hash(b.toUtf8(), QCryptographicHash::Sha256);
    unsigned char diff = 0;
    for (int i = 0; i < x.size(); ++i)
        diff |= static_cast<unsigned char>(x.at(i) ^ y.at(i));
    return diff == 0 && !a.isEmpty();
}

bool isLoopback(const QString &ip)
{
    QHostAddress a(ip);
    bool v4 = false;
    const quint32 mapped = a.toIPv4Address(&v4);
    if (v4)
        a = QHostAddress(mapped);
    return !a.isNull() && a.isLoopback();
}

} // namespace

StreamAuthRequest StreamAuthRequest::fromJson(const QByteArray &json, bool *ok)
{
    StreamAuthRequest r;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    *ok = err.error == QJsonParseError::NoError && doc.isObject();
    if (!*ok)
        return r;
    const QJsonObject o = doc.object();
    const auto str = [&o](const char *key) { return o.value(QLatin1String(key)).toString(); };
    r.ip = str("ip");
    r.user = str("user");
    r.password = str("password");
    r.token = str("token");
    r.action = str("action");
    r.path = str("path");
    r.protocol = str("protocol");
    r.query = str("query");
    *ok = !r.action.isEmpty();
    return r;
}

StreamAccess::StreamAccess(const JwtService *jwt) : m_jwt(jwt)
{
    QByteArray random(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(random.data()),
                                         reinterpret_cast<quint32 *>(random.data() + random.size()));
    m_internalToken = QString::fromLatin1(random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString StreamAccess::check(const StreamAuthRequest &r) const
{
    const bool loopback = isLoopback(r.ip);
    if (r.action == QLatin1String("publish"))
        return loopback ? QString() : QStringLiteral("publishing is only allowed from this machine");
    if (r.action == QLatin1String("api") || r.action == QLatin1String("metrics") || r.action == QLatin1String("pprof")) {
        if (!loopback)
            return QStringLiteral("%1 is only allowed from this machine").arg(r.action);
        return isApiCredential && isApiCredential(r.user, r.password) ? QString() : QStringLiteral("not the station's API credential");
    }
    if (r.action == QLatin1String("read") || r.action == QLatin1String("playback"))
        return checkRead(r, loopback);
    return QStringLiteral("unknown action '%1'").arg(r.action);
}

QString StreamAccess::checkRead(const StreamAuthRequest &r, bool loopback) const
{
    if (m_anonymousRead)
        return {};
    if (r.action == QLatin1String("playback") && loopback && isApiCredential && isApiCredential(r.user, r.password))
        return {};
    // MediaMTX passes a query token itself only for RTSP (getToken in manager.go):
    // for HLS and WebRTC it is read from the query here.
    QString token = r.token;
    if (token.isEmpty())
        token = QUrlQuery(r.query).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    if (token.isEmpty())
        return QStringLiteral("no stream token (query of %1 bytes)").arg(r.query.size());
    if (loopback && sameSecret(token, m_internalToken))
        return {};
    if (!m_jwt)
        return QStringLiteral("no token service");
    const AuthResult a = m_jwt->verifyStream(token.toUtf8(), r.path);
    if (!a.ok)
        return QStringLiteral("stream token refused: %1").arg(a.reason);
    if (!a.identity.apiKeyId.isEmpty() && (!apiKeyValid || !apiKeyValid(a.identity.apiKeyId)))
        return QStringLiteral("stream token of a revoked or expired API key");
    return {};
}

} // namespace station::auth
