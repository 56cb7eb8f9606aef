#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace station::config { class Config; }
namespace station::cameras { struct Camera; }

namespace station::mediamtx {

// One MediaMTX path managed by the station (path name = camera ID). Only
// keys MediaMTX knows (it rejects unknown fields with 400).
struct PathSpec {
    QString name;
    QString source = QStringLiteral("publisher");  // or an rtsp:// pull URL
    bool sourceOnDemand = false;
    QString runOnDemand;                           // publisher command for local cameras
    bool record = false;

    QJsonObject toJson() const;  // body for /v3/config/paths/add|replace
    bool operator==(const PathSpec &o) const = default;
};

PathSpec pathSpecFor(const cameras::Camera &camera, bool record);

// Why MediaMTX v1.20.1 would refuse this path at load time ("" = it would
// not): the path name (internal/conf/path.go IsValidPathName) and the source
// (cameras/CameraUrlRule::checkSource). A refused path is never written to
// mediamtx.yml nor sent to the paths API: MediaMTX would exit, or answer 400.
QString pathRefusal(const PathSpec &path);

// Why MediaMTX v1.20.1 would refuse this authInternalUsers user or pass
// ("" = it would not): internal/conf/credential.go Credential.validate.
QString credentialRefusal(const QString &credential);

// Renders MediaMTX's configuration from the station's: API on loopback with
// a per-launch credential (the password itself comes through the
// MTX_AUTHINTERNALUSERS_2_PASS environment variable, never the file), RTSP,
// HLS and WebRTC on the public ports, metrics and playback on loopback,
// fMP4 recording under the recordings folder with UTC names of the
// contract's pattern, no deletion by MediaMTX (retention is ours).
class MediaMtxConfig
{
public:
    static constexpr int kApiUserIndex = 2;  // index of the station's entry in authInternalUsers
    static QString apiUser() { return QStringLiteral("camera-station"); }

    // authHttpAddress: the station's StreamAuthEndpoint (authMethod: http); empty:
    // authMethod: internal with the users above (tests of the file itself).
    static QByteArray render(const config::Config &config, const QList<PathSpec> &paths, const QString &authHttpAddress = {});
    static bool writeAtomically(const QString &path, const QByteArray &content, QString *error);
    static QString recordPathPattern(const QString &recordingsDir);
    // "" when mediamtx.hls_tls/webrtc_tls are off, or mediamtx.tls_cert and
    // mediamtx.tls_key name a readable PEM certificate and private key; else
    // what is wrong, naming the key (MediaMTX would exit on a missing file).
    static QString tlsProblem(const config::Config &config);
};

} // namespace station::mediamtx
