#include "api/UrlBuilder.h"

#include "auth/Identity.h"
#include "auth/JwtService.h"
#include "config/Config.h"
#include "rpc/RpcSession.h"

#include <QHostAddress>
#include <QUrl>

namespace station::api {

namespace {

QString bracketed(const QString &host)
{
    QHostAddress a;
    if (host.contains(QLatin1Char(':')) && a.setAddress(host) && a.protocol() == QAbstractSocket::IPv6Protocol)
        return QLatin1Char('[') + host + QLatin1Char(']');
    return host;
}

// Host part of a Host header value ("example:8002", "[fd00::1]:8002").
QString hostOnly(const QString &header)
{
    const QString h = header.trimmed();
    if (h.startsWith(QLatin1Char('['))) {
        const qsizetype end = h.indexOf(QLatin1Char(']'));
        return end > 0 ? h.left(end + 1) : h;
    }
    const qsizetype colon = h.lastIndexOf(QLatin1Char(':'));
    if (colon > 0 && h.indexOf(QLatin1Char(':')) == colon)
        return h.left(colon);
    return bracketed(h);
}

} // namespace

namespace {
// Stands for a connection's stream token in events rendered once (personalize()).
const char kTokenPlaceholder[] = "__STATION_STREAM_TOKEN_";
} // namespace

UrlBuilder::UrlBuilder(const config::Config &config, const auth::JwtService *jwt) : m_config(config), m_jwt(jwt) {}

QString UrlBuilder::hostFor(const rpc::RpcSession *session) const
{
    const QString configured = m_config.string(QStringLiteral("server.public_host"));
    if (!configured.isEmpty())
        return bracketed(configured);
    if (session && !session->hostHeader().isEmpty())
        return hostOnly(session->hostHeader());
    // HTTP/1.1 clients always send Host; without it, the address they reached us on.
    return session ? bracketed(session->peer().isLoopback() ? QStringLiteral("127.0.0.1") : QString()) : QString();
}

const auth::Identity &UrlBuilder::localViewer()
{
    static const auth::Identity local{QStringLiteral("local-ui"), auth::Role::Viewer, {}, QStringLiteral("local"), {}};
    return local;
}

QString UrlBuilder::streamQuery(const QString &device, const auth::Identity *viewer) const
{
    if (m_config.boolean(QStringLiteral("streams.anonymous_read")))
        return {};
    if (!viewer)
        return QStringLiteral("?token=") + QLatin1String(kTokenPlaceholder) + device + QStringLiteral("__");
    if (!m_jwt || !viewer->valid())
        return {};
    const QString credentialId = viewer->authMethod == QLatin1String("api_key") ? viewer->apiKeyId : QString();
    const QByteArray token = m_jwt->mintStream(viewer->userId, viewer->role, device, m_config.integer(QStringLiteral("streams.url_token_ttl_s")),
                                               viewer->expiresAt, QDateTime::currentDateTimeUtc(), credentialId);
    return QStringLiteral("?token=") + QString::fromLatin1(token);
}

QString UrlBuilder::rtspUrl(const QString &device, const QString &host, const auth::Identity *viewer) const
{
    return QStringLiteral("rtsp://%1:%2/%3").arg(host).arg(m_config.integer(QStringLiteral("mediamtx.rtsp_port"))).arg(device)
           + streamQuery(device, viewer);
}

QString UrlBuilder::whepUrl(const QString &device, const QString &host, const auth::Identity *viewer) const
{
    const QString scheme = m_config.boolean(QStringLiteral("mediamtx.webrtc_tls")) ? QStringLiteral("https") : QStringLiteral("http");
    return QStringLiteral("%1://%2:%3/%4/whep").arg(scheme, host).arg(m_config.integer(QStringLiteral("mediamtx.webrtc_port"))).arg(device)
           + streamQuery(device, viewer);
}

QJsonObject UrlBuilder::streams(const QString &device, const QString &host, const auth::Identity *viewer) const
{
    const QString hls = m_config.boolean(QStringLiteral("mediamtx.hls_tls")) ? QStringLiteral("https") : QStringLiteral("http");
    const QString webrtc = m_config.boolean(QStringLiteral("mediamtx.webrtc_tls")) ? QStringLiteral("https") : QStringLiteral("http");
    // One token for the three: each grants reading this camera only.
    const QString query = streamQuery(device, viewer);
    return QJsonObject{
        {QStringLiteral("rtsp"), QStringLiteral("rtsp://%1:%2/%3").arg(host).arg(m_config.integer(QStringLiteral("mediamtx.rtsp_port"))).arg(device) + query},
        {QStringLiteral("hls"), QStringLiteral("%1://%2:%3/%4/index.m3u8").arg(hls, host).arg(m_config.integer(QStringLiteral("mediamtx.hls_port"))).arg(device) + query},
        {QStringLiteral("webrtc"), QStringLiteral("%1://%2:%3/%4").arg(webrtc, host).arg(m_config.integer(QStringLiteral("mediamtx.webrtc_port"))).arg(device) + query},
    };
}

QByteArray UrlBuilder::personalize(const QByteArray &rendered, const rpc::RpcSession *session) const
{
    QByteArray out = rendered;
    out.replace(hostPlaceholder().toUtf8(), hostFor(session).toUtf8());
    const QByteArray marker(kTokenPlaceholder);
    qsizetype at = 0;
    while ((at = out.indexOf(marker, at)) >= 0) {
        const qsizetype end = out.indexOf("__", at + marker.size());
        if (end < 0)
            break;
        const QString device = QString::fromUtf8(out.mid(at + marker.size(), end - at - marker.size()));
        QString query = session ? streamQuery(device, &session->identity()) : QString();
        const QByteArray token = query.startsWith(QLatin1String("?token=")) ? query.mid(7).toLatin1() : QByteArray();
        out.replace(at, end + 2 - at, token);
        at += token.size();
    }
    return out;
}

QString UrlBuilder::downloadUrl(const QString &kind, const QString &filename, const QString &host, const auth::Identity &identity) const
{
    return QString::fromUtf8(downloadUrlPrefix(kind, host) + downloadUrlTail(kind, filename, identity));
}

QByteArray UrlBuilder::downloadUrlPrefix(const QString &kind, const QString &host) const
{
    const qint64 configuredPort = m_config.integer(QStringLiteral("server.public_port"));
    const qint64 port = configuredPort > 0 ? configuredPort : m_boundPort;
    return QStringLiteral("%1://%2:%3/files/%4/").arg(m_config.string(QStringLiteral("server.public_scheme")), host).arg(port).arg(kind).toUtf8();
}

QByteArray UrlBuilder::downloadUrlTail(const QString &kind, const QString &filename, const auth::Identity &identity) const
{
    return QUrl::toPercentEncoding(filename) + "?token=" + downloadGrants(kind, identity).token(filename);
}

UrlBuilder::DownloadGrants UrlBuilder::downloadGrants(const QString &kind, const auth::Identity &identity) const
{
    return DownloadGrants(*this, kind, identity);
}

UrlBuilder::DownloadGrants::DownloadGrants(const UrlBuilder &urls, const QString &kind, const auth::Identity &identity)
    : m_urls(urls), m_identity(identity), m_kindSlash(kind + QLatin1Char('/')),
      // An API key's URLs name it, so they stop working when it is revoked (issue 12 #8).
      m_credentialId(identity.authMethod == QLatin1String("api_key") ? identity.apiKeyId : QString()),
      m_ttl(urls.m_config.integer(QStringLiteral("security.download_token_ttl_s"))),
      m_now(QDateTime::currentDateTimeUtc())
{
    m_nowSecs = m_now.toSecsSinceEpoch();
    constexpr qsizetype kMaxCachedTokens = 10000;  // about 4 MB at most
    const qint64 minute = m_nowSecs / 60;
    if (minute != urls.m_tokenCacheMinute || urls.m_cachedTokens >= kMaxCachedTokens) {
        urls.m_tokenCache.clear();
        urls.m_cachedTokens = 0;
        urls.m_tokenCacheMinute = minute;
    }
    // Everything the token's claims depend on besides the file: reused only where
    // minting again would give the same grant (its iat and exp at most a minute earlier).
    m_scope = identity.userId.toUtf8() + '\x1f' + QByteArray::number(int(identity.role)) + '\x1f' + m_credentialId.toUtf8() + '\x1f'
        + QByteArray::number(identity.expiresAt.isValid() ? identity.expiresAt.toMSecsSinceEpoch() : -1) + '\x1f' + QByteArray::number(m_ttl)
        + '\x1f' + kind.toUtf8();
}

QByteArray UrlBuilder::DownloadGrants::token(const QString &filename)
{
    QHash<QString, CachedToken> &files = m_urls.m_tokenCache[m_scope];
    if (const auto it = files.constFind(filename); it != files.constEnd() && m_nowSecs - it->mintedAt <= m_ttl / 60)
        return it->token;
    const QByteArray token = m_urls.m_jwt->mintDownload(m_identity.userId, m_identity.role, m_kindSlash + filename, m_ttl,
                                                        m_identity.expiresAt, m_now, m_credentialId);
    if (token.isEmpty())
        return token;
    if (const auto it = files.find(filename); it != files.end()) {
        *it = CachedToken{token, m_nowSecs};
    } else {
        files.insert(filename, CachedToken{token, m_nowSecs});
        ++m_urls.m_cachedTokens;
    }
    return token;
}

} // namespace station::api
