#pragma once

#include <QList>
#include <QString>

namespace station::config { class Config; }

namespace station::mediamtx {

// One socket MediaMTX opens at start, from our config. MediaMTX v1.20.1
// exits when any listener cannot bind (internal/core/core.go createResources
// returns the listener's error), so every one is written explicitly into
// mediamtx.yml and checked free before launch.
struct MediaMtxListener {
    QString configKey;  // our key, e.g. mediamtx.rtsp_port
    QString mtxKey;     // MediaMTX's key, e.g. rtspAddress
    QString host;       // "" = all interfaces (":port"), else the address
    int port = 0;
    bool udp = false;
    bool bound = true;  // false: written but not opened (rtpAddress with TCP-only RTSP)

    QString address() const;  // what mediamtx.yml gets: ":8554" or "127.0.0.1:9997"
};

class MediaMtxListeners
{
public:
    static QList<MediaMtxListener> of(const config::Config &config);

    // "" when every bound listener can be opened now; else the first problem,
    // naming our config key and the port (two keys on one port, or a port
    // another process holds).
    static QString checkFree(const QList<MediaMtxListener> &listeners);
};

} // namespace station::mediamtx
