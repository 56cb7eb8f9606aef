#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

namespace station::auth {

class JwtService;
struct AuthResult;

// What MediaMTX asks the station when it runs with authMethod: http (its
// internal/auth/manager.go authenticateHTTP, v1.20.1): one JSON object per
// connection or HLS session, for every action it does not exclude.
struct StreamAuthRequest {
    QString ip;
    QString user;
    QString password;
    QString token;     // MediaMTX's pick: a Bearer token, else the password, else (RTSP) ?token=
    QString action;    // publish, read, playback, api, metrics, pprof
    QString path;      // MediaMTX path (camera ID) for publish/read/playback
    QString protocol;  // rtsp, hls, webrtc, ...
    QString query;     // raw query of the request URL

    static StreamAuthRequest fromJson(const QByteArray &json, bool *ok);
};

// The station's stream permission rules (API.md §2.9; README "Stream access"):
//   publish                      only from loopback (the station's own publishers);
//   api, metrics, pprof          the station's MediaMTX API credential, from loopback;
//   read, playback               a stream token minted for that path by the API
//                                (JwtService::mintStream), its API key not revoked;
//                                or, from loopback, the per-run token of the station's
//                                own readers; or anyone when streams.anonymous_read.
// check() returns "" when allowed, else the reason (logged, never sent to the client).
class StreamAccess
{
public:
    explicit StreamAccess(const JwtService *jwt);

    void setAnonymousRead(bool on) { m_anonymousRead = on; }
    bool anonymousRead() const { return m_anonymousRead; }
    // (user, password) → whether it is the current MediaMTX API credential.
    std::function<bool(const QString &, const QString &)> isApiCredential;
    // API key id → still valid (not revoked or expired).
    std::function<bool(const QString &)> apiKeyValid;

    // Random per run: the station's own readers put it in their RTSP URLs (loopback only).
    const QString &internalToken() const { return m_internalToken; }

    QString check(const StreamAuthRequest &request) const;

private:
    QString checkRead(const StreamAuthRequest &request, bool loopback) const;

    const JwtService *m_jwt;
    bool m_anonymousRead = false;
    QString m_internalToken;
};

} // namespace station::auth
