#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <functional>

namespace station::config { class Config; }
namespace station::auth { struct Identity; class JwtService; }
namespace station::rpc { class RpcSession; }

namespace station::api {

// Builds every URL handed to clients (API.md §2.9, §2.10): stream URLs on the
// public MediaMTX ports and absolute, tokenised download URLs. The host is
// server.public_host, else the host of the connection's Host header. For
// events rendered once for many connections, hostPlaceholder() stands in and
// the notifier substitutes each connection's host.
class UrlBuilder
{
public:
    UrlBuilder(const config::Config &config, const auth::JwtService *jwt);

    static QString hostPlaceholder() { return QStringLiteral("__STATION_HOST__"); }

    QString hostFor(const rpc::RpcSession *session) const;  // bracketed IPv6, no port
    void setBoundPort(quint16 port) { m_boundPort = port; }

    // Stream URLs carry a read token for `viewer` (API.md §2.9; none with
    // streams.anonymous_read). viewer == nullptr: a placeholder per device that
    // personalize() replaces for each connection (events rendered once).
    QJsonObject streams(const QString &device, const QString &host, const auth::Identity *viewer) const;  // {rtsp, hls, webrtc}
    QString rtspUrl(const QString &device, const QString &host, const auth::Identity *viewer) const;
    QString whepUrl(const QString &device, const QString &host, const auth::Identity *viewer) const;
    // The kiosk/desktop UI's own identity for the URLs it shows.
    static const auth::Identity &localViewer();
    // An event rendered with hostPlaceholder() and viewer == nullptr, made for one connection.
    QByteArray personalize(const QByteArray &rendered, const rpc::RpcSession *session) const;
    // kind: "recordings" or "snapshots"; token scoped to that file, never outliving the identity.
    QString downloadUrl(const QString &kind, const QString &filename, const QString &host, const auth::Identity &identity) const;
    // The same URL in two parts, for listings that build many: what precedes the
    // file name ("http://host:port/files/recordings/"), once per call, and the
    // rest ("name?token=…"), per file.
    QByteArray downloadUrlPrefix(const QString &kind, const QString &host) const;
    QByteArray downloadUrlTail(const QString &kind, const QString &filename, const auth::Identity &identity) const;

    // The download tokens of one credential for one kind, for a listing: what
    // the tokens' claims depend on besides the file is worked out once per
    // call, and each file's token is a cache lookup while the cached one has
    // lost at most 1/60 of its lifetime (else it is minted and cached).
    class DownloadGrants
    {
    public:
        QByteArray token(const QString &filename);

    private:
        friend class UrlBuilder;
        DownloadGrants(const UrlBuilder &urls, const QString &kind, const auth::Identity &identity);
        const UrlBuilder &m_urls;
        const auth::Identity &m_identity;
        QString m_kindSlash;  // "recordings/"
        QString m_credentialId;
        qint64 m_ttl = 0;
        qint64 m_nowSecs = 0;
        QDateTime m_now;
        QByteArray m_scope;
    };
    DownloadGrants downloadGrants(const QString &kind, const auth::Identity &identity) const;

private:
    QString streamQuery(const QString &device, const auth::Identity *viewer) const;  // "?token=…" or ""

    const config::Config &m_config;
    const auth::JwtService *m_jwt;
    quint16 m_boundPort = 0;
    // Download tokens minted in the current minute, by credential and file: a
    // client paging through a listing gets the same token again instead of a
    // fresh signature per entry per call, while it has lost at most 1/60 of
    // its lifetime. Dropped every minute and when full.
    struct CachedToken {
        QByteArray token;
        qint64 mintedAt = 0;  // seconds since the epoch
    };
    // credential and kind ("user\x1frole\x1fcid\x1fexpiry\x1fttl\x1fkind") -> file name -> token
    mutable QHash<QByteArray, QHash<QString, CachedToken>> m_tokenCache;
    mutable qsizetype m_cachedTokens = 0;
    mutable qint64 m_tokenCacheMinute = -1;
};

} // namespace station::api
