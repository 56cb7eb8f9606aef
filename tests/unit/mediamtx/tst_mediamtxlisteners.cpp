#include "config/Config.h"
#include "mediamtx/MediaMtxConfig.h"
#include "mediamtx/MediaMtxListeners.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <yaml-cpp/yaml.h>

using namespace station;
using namespace station::mediamtx;

namespace {

config::Config configWith(const QStringList &sets)
{
    config::ConfigSources src;
    src.environment = QProcessEnvironment();
    src.dataDir = QStringLiteral("/srv/cs");
    src.sets = sets;
    const auto loaded = config::Config::load(src);
    if (!loaded.ok())
        qFatal("config: %s", qPrintable(loaded.errors.join(QStringLiteral("; "))));
    return loaded.config;
}

quint16 freeTcp()
{
    QTcpServer s;
    return s.listen(QHostAddress::LocalHost, 0) ? s.serverPort() : 0;
}

quint16 freeUdp()
{
    QUdpSocket s;
    return s.bind(QHostAddress::LocalHost, 0) ? s.localPort() : 0;
}

// Nine distinct free ports for the nine listeners.
QStringList freePorts()
{
    QStringList sets;
    QList<quint16> taken;
    for (const char *key : {"api_port", "metrics_port", "playback_port", "rtsp_port", "hls_port", "webrtc_port"}) {
        quint16 p = 0;
        do { p = freeTcp(); } while (taken.contains(p));
        taken << p;
        sets << QStringLiteral("mediamtx.%1=%2").arg(QLatin1String(key)).arg(p);
    }
    for (const char *key : {"rtp_port", "rtcp_port", "webrtc_udp_port"}) {
        quint16 p = 0;
        do { p = freeUdp(); } while (taken.contains(p));
        taken << p;
        sets << QStringLiteral("mediamtx.%1=%2").arg(QLatin1String(key)).arg(p);
    }
    return sets;
}

int portOf(const QStringList &sets, const QString &key)
{
    for (const QString &s : sets) {
        if (s.startsWith(key + QLatin1Char('=')))
            return s.section(QLatin1Char('='), 1).toInt();
    }
    return 0;
}

} // namespace

class TestMediaMtxListeners : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyListenerIsWrittenFromOurConfig()
    {
        const QStringList ports = freePorts();
        const config::Config cfg = configWith(ports);
        const YAML::Node root = YAML::Load(MediaMtxConfig::render(cfg, {}).toStdString());
        // internal/conf/conf.go: every listener key MediaMTX v1.20.1 opens with our protocols on.
        const auto at = [&](const char *key) { return QString::fromStdString(root[key].as<std::string>()); };
        QCOMPARE(at("apiAddress"), QStringLiteral("127.0.0.1:%1").arg(portOf(ports, QStringLiteral("mediamtx.api_port"))));
        QCOMPARE(at("metricsAddress"), QStringLiteral("127.0.0.1:%1").arg(portOf(ports, QStringLiteral("mediamtx.metrics_port"))));
        QCOMPARE(at("playbackAddress"), QStringLiteral("127.0.0.1:%1").arg(portOf(ports, QStringLiteral("mediamtx.playback_port"))));
        QCOMPARE(at("rtspAddress"), QStringLiteral(":%1").arg(portOf(ports, QStringLiteral("mediamtx.rtsp_port"))));
        QCOMPARE(at("rtpAddress"), QStringLiteral(":%1").arg(portOf(ports, QStringLiteral("mediamtx.rtp_port"))));
        QCOMPARE(at("rtcpAddress"), QStringLiteral(":%1").arg(portOf(ports, QStringLiteral("mediamtx.rtcp_port"))));
        QCOMPARE(at("hlsAddress"), QStringLiteral(":%1").arg(portOf(ports, QStringLiteral("mediamtx.hls_port"))));
        QCOMPARE(at("webrtcAddress"), QStringLiteral(":%1").arg(portOf(ports, QStringLiteral("mediamtx.webrtc_port"))));
        QCOMPARE(at("webrtcLocalUDPAddress"), QStringLiteral(":%1").arg(portOf(ports, QStringLiteral("mediamtx.webrtc_udp_port"))));
        QCOMPARE(at("webrtcLocalTCPAddress"), QString());
        QVERIFY(!root["pprof"].as<bool>());
        for (const char *off : {"rtmp", "srt", "moq"})
            QVERIFY2(!root[off].as<bool>(), off);
        // TCP-only RTSP by default: no UDP 8000/8001 opened behind our back.
        QCOMPARE(int(root["rtspTransports"].size()), 1);
        QCOMPARE(root["rtspTransports"][0].as<std::string>(), std::string("tcp"));
        const YAML::Node udp = YAML::Load(MediaMtxConfig::render(configWith(ports + QStringList{QStringLiteral("mediamtx.rtsp_udp=true")}), {}).toStdString());
        QCOMPARE(int(udp["rtspTransports"].size()), 2);
        QCOMPARE(udp["rtspTransports"][0].as<std::string>(), std::string("udp"));
        QCOMPARE(MediaMtxListeners::checkFree(MediaMtxListeners::of(cfg)), QString());
    }

    void aBusyTcpPortIsNamed()
    {
        const QStringList ports = freePorts();
        const int rtsp = portOf(ports, QStringLiteral("mediamtx.rtsp_port"));
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost, quint16(rtsp)));
        const QString why = MediaMtxListeners::checkFree(MediaMtxListeners::of(configWith(ports)));
        QVERIFY2(why.startsWith(QStringLiteral("mediamtx.rtsp_port: port %1/tcp").arg(rtsp)), qPrintable(why));
    }

    void aBusyUdpPortIsNamedOnlyWhenUdpIsOn()
    {
        const QStringList ports = freePorts();
        const int rtp = portOf(ports, QStringLiteral("mediamtx.rtp_port"));
        QUdpSocket holder;
        QVERIFY(holder.bind(QHostAddress::LocalHost, quint16(rtp), QAbstractSocket::DontShareAddress));
        QCOMPARE(MediaMtxListeners::checkFree(MediaMtxListeners::of(configWith(ports))), QString());  // TCP only: not opened
        const QString why = MediaMtxListeners::checkFree(MediaMtxListeners::of(configWith(ports + QStringList{QStringLiteral("mediamtx.rtsp_udp=true")})));
        QVERIFY2(why.startsWith(QStringLiteral("mediamtx.rtp_port: port %1/udp").arg(rtp)), qPrintable(why));

        const int webrtcUdp = portOf(ports, QStringLiteral("mediamtx.webrtc_udp_port"));
        QUdpSocket ice;
        QVERIFY(ice.bind(QHostAddress::LocalHost, quint16(webrtcUdp), QAbstractSocket::DontShareAddress));
        const QString iceWhy = MediaMtxListeners::checkFree(MediaMtxListeners::of(configWith(ports)));
        QVERIFY2(iceWhy.startsWith(QStringLiteral("mediamtx.webrtc_udp_port: port %1/udp").arg(webrtcUdp)), qPrintable(iceWhy));
    }

    void twoKeysOnOnePortAreNamed()
    {
        QStringList ports = freePorts();
        const int hls = portOf(ports, QStringLiteral("mediamtx.hls_port"));
        ports << QStringLiteral("mediamtx.webrtc_port=%1").arg(hls);
        const QString why = MediaMtxListeners::checkFree(MediaMtxListeners::of(configWith(ports)));
        QVERIFY2(why.startsWith(QStringLiteral("mediamtx.hls_port and mediamtx.webrtc_port are both port %1/tcp").arg(hls)), qPrintable(why));
    }

    void tlsWritesMediaMtxKeysAndChecksFiles()
    {
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("c.pem")), key = dir.filePath(QStringLiteral("k.pem"));
        const QStringList tls{QStringLiteral("mediamtx.hls_tls=true"), QStringLiteral("mediamtx.tls_cert=") + cert, QStringLiteral("mediamtx.tls_key=") + key};
        QVERIFY(MediaMtxConfig::tlsProblem(configWith({})).isEmpty());
        QVERIFY(MediaMtxConfig::tlsProblem(configWith({QStringLiteral("mediamtx.webrtc_tls=true")})).contains(QLatin1String("mediamtx.tls_cert is empty")));
        QVERIFY(MediaMtxConfig::tlsProblem(configWith(tls)).startsWith(QLatin1String("mediamtx.tls_cert: cannot read")));
        QFile c(cert), k(key);
        QVERIFY(c.open(QIODevice::WriteOnly) && k.open(QIODevice::WriteOnly));
        c.write("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        k.write("not a key\n");
        c.close();
        k.close();
        QVERIFY(MediaMtxConfig::tlsProblem(configWith(tls)).startsWith(QLatin1String("mediamtx.tls_key: the file it names is not a PEM private key")));
        QVERIFY(k.open(QIODevice::WriteOnly));
        k.write("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
        k.close();
        QCOMPARE(MediaMtxConfig::tlsProblem(configWith(tls)), QString());
        // internal/conf/conf.go: hlsEncryption/hlsServerKey/hlsServerCert; WebRTC stays plain.
        const YAML::Node root = YAML::Load(MediaMtxConfig::render(configWith(tls), {}).toStdString());
        QVERIFY(root["hlsEncryption"].as<bool>());
        QCOMPARE(QString::fromStdString(root["hlsServerKey"].as<std::string>()), key);
        QCOMPARE(QString::fromStdString(root["hlsServerCert"].as<std::string>()), cert);
        QVERIFY(!root["webrtcEncryption"].as<bool>());
        QVERIFY(!root["webrtcServerKey"]);
    }
};

QTEST_GUILESS_MAIN(TestMediaMtxListeners)
#include "tst_mediamtxlisteners.moc"
