#include "mediamtx/MediaMtxListeners.h"

#include "config/Config.h"

#include <QHostAddress>
#include <QTcpServer>
#include <QUdpSocket>

namespace station::mediamtx {

QString MediaMtxListener::address() const
{
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host) + QLatin1Char(':') + QString::number(port);
}

QList<MediaMtxListener> MediaMtxListeners::of(const config::Config &cfg)
{
    const auto port = [&cfg](const char *key) { return cfg.integer32(QString::fromLatin1(key)); };
    const QString loopback = QStringLiteral("127.0.0.1");
    const bool rtspUdp = cfg.boolean(QStringLiteral("mediamtx.rtsp_udp"));
    // Keys as in internal/conf/conf.go (Conf struct json tags).
    return {
        {QStringLiteral("mediamtx.api_port"), QStringLiteral("apiAddress"), cfg.string(QStringLiteral("mediamtx.api_host")), port("mediamtx.api_port"), false, true},
        {QStringLiteral("mediamtx.metrics_port"), QStringLiteral("metricsAddress"), loopback, port("mediamtx.metrics_port"), false, true},
        {QStringLiteral("mediamtx.playback_port"), QStringLiteral("playbackAddress"), loopback, port("mediamtx.playback_port"), false, true},
        {QStringLiteral("mediamtx.rtsp_port"), QStringLiteral("rtspAddress"), QString(), port("mediamtx.rtsp_port"), false, true},
        {QStringLiteral("mediamtx.rtp_port"), QStringLiteral("rtpAddress"), QString(), port("mediamtx.rtp_port"), true, rtspUdp},
        {QStringLiteral("mediamtx.rtcp_port"), QStringLiteral("rtcpAddress"), QString(), port("mediamtx.rtcp_port"), true, rtspUdp},
        {QStringLiteral("mediamtx.hls_port"), QStringLiteral("hlsAddress"), QString(), port("mediamtx.hls_port"), false, true},
        {QStringLiteral("mediamtx.webrtc_port"), QStringLiteral("webrtcAddress"), QString(), port("mediamtx.webrtc_port"), false, true},
        {QStringLiteral("mediamtx.webrtc_udp_port"), QStringLiteral("webrtcLocalUDPAddress"), QString(), port("mediamtx.webrtc_udp_port"), true, true},
    };
}

QString MediaMtxListeners::checkFree(const QList<MediaMtxListener> &listeners)
{
    for (qsizetype i = 0; i < listeners.size(); ++i) {
        const MediaMtxListener &a = listeners.at(i);
        if (!a.bound)
            continue;
        for (qsizetype j = 0; j < i; ++j) {
            const MediaMtxListener &b = listeners.at(j);
            if (b.bound && b.udp == a.udp && b.port == a.port)
                return QStringLiteral("%1 and %2 are both port %3/%4: MediaMTX cannot open both; give one another port")
                    .arg(b.configKey, a.configKey)
                    .arg(a.port)
                    .arg(a.udp ? QStringLiteral("udp") : QStringLiteral("tcp"));
        }
    }
    for (const MediaMtxListener &l : listeners) {
        if (!l.bound)
            continue;
        // ":port" is every interface, as Go's net.Listen binds it.
        QHostAddress host = l.host.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(l.host);
        if (l.host == QLatin1String("localhost"))
            host = QHostAddress(QHostAddress::LocalHost);
        if (host.isNull())
            continue;  // a name MediaMTX resolves itself
        QString error;
        if (l.udp) {
            QUdpSocket s;
            if (!s.bind(host, quint16(l.port), QAbstractSocket::DontShareAddress))
                error = s.errorString();
        } else {
            QTcpServer s;
            if (!s.listen(host, quint16(l.port)))
                error = s.errorString();
        }
        if (!error.isEmpty())
            return QStringLiteral("%1: port %2/%3 cannot be opened (%4): another program holds it; stop it or set %1 to a free port")
                .arg(l.configKey)
                .arg(l.port)
                .arg(l.udp ? QStringLiteral("udp") : QStringLiteral("tcp"), error);
    }
    return {};
}

} // namespace station::mediamtx
