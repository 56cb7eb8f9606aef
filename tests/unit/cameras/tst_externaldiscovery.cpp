#include "config/Config.h"
#include "cameras/ExternalDiscovery.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace station;
using namespace station::cameras;

// A minimal RTSP server on loopback: answers OPTIONS and DESCRIBE with an H.264 SDP.
class FakeRtspServer : public QObject
{
public:
    explicit FakeRtspServer(bool withVideo = true) : m_withVideo(withVideo)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *s = m_server.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [this, s] {
                const QByteArray req = s->readAll();
                ++requests;
                const QByteArray cseq = req.mid(req.indexOf("CSeq: ") + 6).split('\r').first();
                if (req.startsWith("OPTIONS")) {
                    s->write("RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\r\n\r\n");
                } else if (req.startsWith("DESCRIBE")) {
                    const QByteArray sdp = m_withVideo ? "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" : "v=0\r\nm=audio 0 RTP/AVP 0\r\n";
                    s->write("RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\nContent-Type: application/sdp\r\nContent-Length: "
                             + QByteArray::number(sdp.size()) + "\r\n\r\n" + sdp);
                }
            });
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int requests = 0;

private:
    QTcpServer m_server;
    bool m_withVideo;
};

class TestExternalDiscovery : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

    config::Config configWith(QStringList sets)
    {
        config::ConfigSources src;
        src.environment = QProcessEnvironment();
        src.dataDir = m_dir.path();
        // Loopback only: tests never probe a private or public range.
        sets << QStringLiteral("external_discovery.enabled=true") << QStringLiteral("external_discovery.skydio_subnet=127.0.0.0/30")
             << QStringLiteral("external_discovery.scan_timeout_s=5");
        src.sets = sets;
        const config::ConfigLoadResult r = config::Config::load(src);
        if (!r.ok())
            qFatal("%s", qPrintable(r.errors.join(QLatin1Char('\n'))));
        return r.config;
    }

    static ScanResult scanNow(ExternalDiscovery &d, ScanOptions o)
    {
        ScanResult result;
        bool done = false;
        d.scan(o, [&](const ScanResult &r) {
            result = r;
            done = true;
        });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(done, 10000); }();
        return result;
    }

private Q_SLOTS:
    void targetsStayInConfiguredRanges()
    {
        const config::Config c = configWith({QStringLiteral("external_discovery.generic_targets=127.0.0.1:9/x")});
        ExternalDiscovery d(c);
        QStringList errors;
        ScanOptions o;
        o.generic = true;
        const QList<ExternalDiscovery::Target> t = d.targets(o, &errors);
        QVERIFY(errors.isEmpty());
        // 127.0.0.0/30 has two usable hosts, each probed on the EO and IR ports, plus the generic entry.
        QCOMPARE(t.size(), 5);
        for (const ExternalDiscovery::Target &x : t)
            QVERIFY2(QHostAddress(x.host).isLoopback(), qPrintable(x.host));
        QCOMPARE(t.first().port, quint16(5554));
        QCOMPARE(t.first().path, QStringLiteral("/subject"));
        QCOMPARE(t.at(1).port, quint16(6554));
    }

    void maxHostsBoundsTheScan()
    {
        const config::Config c = configWith({QStringLiteral("external_discovery.max_hosts=1")});
        ExternalDiscovery d(c);
        QStringList errors;
        QCOMPARE(d.targets(ScanOptions(), &errors).size(), 2);  // one host, two ports
    }

    void findsAGenericStream()
    {
        FakeRtspServer server;
        const config::Config c = configWith({QStringLiteral("external_discovery.generic_targets=127.0.0.1:%1/live").arg(server.port())});
        ExternalDiscovery d(c);
        ScanOptions o;
        o.skydio = false;
        o.generic = true;
        const ScanResult r = scanNow(d, o);
        QCOMPARE(r.streams.size(), 1);
        QCOMPARE(r.streams.first().url, QStringLiteral("rtsp://127.0.0.1:%1/live").arg(server.port()));
        QCOMPARE(r.streams.first().codec, QStringLiteral("h264"));
        QCOMPARE(r.streams.first().status, QStringLiteral("DISCOVERED"));
        QCOMPARE(server.requests, 2);  // OPTIONS and DESCRIBE
    }

    void audioOnlyIsNotAVideoStream()
    {
        FakeRtspServer server(false);
        const config::Config c = configWith({QStringLiteral("external_discovery.generic_targets=127.0.0.1:%1/a").arg(server.port())});
        ExternalDiscovery d(c);
        ScanOptions o;
        o.skydio = false;
        o.generic = true;
        const ScanResult r = scanNow(d, o);
        QVERIFY(r.streams.isEmpty());
        QCOMPARE(r.errors.size(), 1);
    }

    void cachedUnlessForcedAndOfflineReported()
    {
        auto server = std::make_unique<FakeRtspServer>();
        const quint16 port = server->port();
        const config::Config c = configWith({QStringLiteral("external_discovery.generic_targets=127.0.0.1:%1/live").arg(port)});
        ExternalDiscovery d(c);
        QString error;
        QVERIFY(d.setScanInterval(300, &error));
        ScanOptions o;
        o.skydio = false;
        o.generic = true;
        QCOMPARE(scanNow(d, o).streams.size(), 1);
        server.reset();  // the stream goes away
        QCOMPARE(scanNow(d, o).streams.size(), 1);  // cached result within the interval
        o.forceRescan = true;
        QCOMPARE(scanNow(d, o).streams.size(), 0);  // offline now
        o.includeOffline = true;
        o.forceRescan = false;
        const ScanResult offline = scanNow(d, o);
        QCOMPARE(offline.streams.size(), 1);
        QCOMPARE(offline.streams.first().status, QStringLiteral("ERROR"));
    }

    void intervalPersists()
    {
        const config::Config c = configWith({});  // services keep a reference to their config
        {
            ExternalDiscovery d(c);
            QString error;
            QVERIFY(d.setScanInterval(600, &error));
        }
        ExternalDiscovery again(c);
        QCOMPARE(again.scanInterval(), 600);
    }
};

QTEST_GUILESS_MAIN(TestExternalDiscovery)
#include "tst_externaldiscovery.moc"
