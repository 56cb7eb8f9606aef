// External (network) cameras and discovery of the real binary (API.md §11,
// §2.8, §12.2). A second MediaMTX stand-in (or real MediaMTX) plays the
// "IP camera": path `cam`, published on demand by a testsrc2 ffmpeg.
// NETWORK SAFETY: every address used here is in 127.0.0.0/8.
#include "HttpClient.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QDirIterator>

#include <csignal>

using namespace station::test;

namespace {

QJsonObject cameraIn(const QJsonObject &list, const QString &device)
{
    for (const QJsonValue &v : list.value(QLatin1String("cameras")).toArray()) {
        if (v.toObject().value(QLatin1String("device")).toString() == device)
            return v.toObject();
    }
    return {};
}

QJsonObject streamIn(const QJsonArray &list, const QString &url)
{
    for (const QJsonValue &v : list) {
        if (v.toObject().value(QLatin1String("url")).toString() == url)
            return v.toObject();
    }
    return {};
}

// The "IP camera": its own MediaMTX on a free loopback port, path `cam`.
class IpCamera
{
public:
    bool start(quint16 port = 0)
    {
        m_port = port ? port : StationProcess::freePort();
        const QString yml = m_dir.filePath(QStringLiteral("ipcam.yml"));
        QFile f(yml);
        if (!f.open(QIODevice::WriteOnly))
            return false;
        f.write(QStringLiteral(
                    "logLevel: info\n"
                    "api: false\nmetrics: false\npprof: false\nplayback: false\n"
                    "rtmp: false\nhls: false\nwebrtc: false\nsrt: false\n"
                    "rtspAddress: 127.0.0.1:%1\n"
                    // TCP only: no UDP 8000/8001 that would clash with the station's MediaMTX.
                    "rtspTransports: [tcp]\n"
                    "paths:\n"
                    "  cam:\n"
                    "    runOnDemand: ffmpeg -hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc2=size=640x360:rate=25"
                    " -c:v libx264 -preset ultrafast -tune zerolatency -pix_fmt yuv420p -g 25"
                    " -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:$RTSP_PORT/$MTX_PATH\n"
                    "    runOnDemandCloseAfter: 2s\n")
                    .arg(m_port)
                    .toUtf8());
        f.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("STANDIN_REQUEST_LOG"));
        env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
        m_process.setProcessEnvironment(env);
        m_process.start(StationProcess::mediaMtxBinary(), {yml});
        if (!m_process.waitForStarted(5000))
            return false;
        return waitFor([this] {
            m_output += m_process.readAll();
            return m_output.contains("[RTSP]") && (m_output.contains("listener opened") || m_output.contains("started with listener"));
        }, 10000);
    }
    ~IpCamera()
    {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(pid_t(m_process.processId()), SIGTERM);
            if (!m_process.waitForFinished(10000))
                m_process.kill();
            m_process.waitForFinished();
        }
    }
    quint16 port() const { return m_port; }
    QString url(const QString &path = QStringLiteral("cam")) const { return QStringLiteral("rtsp://127.0.0.1:%1/%2").arg(m_port).arg(path); }
    // RTSP connections it accepted so far.
    int connections()
    {
        m_output += m_process.readAll();
        return int(m_output.count("] opened"));
    }
    QString output()
    {
        m_output += m_process.readAll();
        return QString::fromUtf8(m_output);
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};


} // namespace

class TestExternalStreams : public QObject
{
    Q_OBJECT
    IpCamera m_ipcam;
    std::unique_ptr<StationProcess> m_station;
    std::unique_ptr<WsClient> m_op;
    QString m_device;  // the IP camera's ID

    QJsonObject ok(const QString &method, const QJsonObject &params = {}, int timeoutMs = 20000)
    {
        const QJsonObject r = m_op->call(method, params, timeoutMs);
        if (!rpcIsSuccess(r))
            qWarning("%s %s → %s", qPrintable(method), compact(params).constData(), compact(r).constData());
        return rpcResult(r);
    }

    void expectRule(const QJsonObject &params, const QString &param, const QString &rule)
    {
        const QJsonObject r = m_op->call(QStringLiteral("add_external_stream"), params);
        QVERIFY2(rpcCode(r) == -32602, compact(params) + " → " + compact(r));
        QVERIFY2(rpcDataString(r, "param") == param && rpcDataString(r, "rule") == rule, compact(params) + " → " + compact(r));
    }

    QJsonObject add(const QString &url, const QString &name)
    {
        return ok(QStringLiteral("add_external_stream"), {{QStringLiteral("stream_url"), url}, {QStringLiteral("stream_name"), name}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        StationProcess::announceMediaServer();
        QVERIFY2(m_ipcam.start(), qPrintable(m_ipcam.output()));
        m_station = std::make_unique<StationProcess>(QStringList{QStringLiteral("--set"), QStringLiteral("cameras.demo=2")});
        m_station->useMediaMtx();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
        QVERIFY(waitFor([&] { return httpGet(m_station->healthPort(), "/health/ready").status == 200; }, 10000));
        m_op = std::make_unique<WsClient>();
        QVERIFY(m_op->open(m_station->wsUrl()));
        QVERIFY(m_op->authenticate(StationProcess::token(QStringLiteral("admin"))));
    }

    void cleanup()
    {
        if (QTest::currentTestFailed() && m_station)
            qWarning("station log tail:\n%s\nIP camera:\n%s", qPrintable(m_station->log().right(5000)), qPrintable(m_ipcam.output().right(2000)));
    }

    void validation()
    {
        const QString name = QStringLiteral("Cam");
        expectRule({{QStringLiteral("stream_name"), name}}, QStringLiteral("stream_url"), QStringLiteral("required"));
        expectRule({{QStringLiteral("stream_url"), QStringLiteral("http://127.0.0.1:8554/cam")}, {QStringLiteral("stream_name"), name}},
                   QStringLiteral("stream_url"), QStringLiteral("scheme"));
        expectRule({{QStringLiteral("stream_url"), QStringLiteral("rtsp:///cam")}, {QStringLiteral("stream_name"), name}},
                   QStringLiteral("stream_url"), QStringLiteral("pattern"));
        expectRule({{QStringLiteral("stream_url"), m_ipcam.url()}, {QStringLiteral("stream_name"), QString(65, QLatin1Char('n'))}},
                   QStringLiteral("stream_name"), QStringLiteral("max_length"));
        expectRule({{QStringLiteral("stream_url"), m_ipcam.url()}, {QStringLiteral("stream_name"), QStringLiteral("a\u0001b")}},
                   QStringLiteral("stream_name"), QStringLiteral("control_char"));
        expectRule({{QStringLiteral("stream_url"), m_ipcam.url()}, {QStringLiteral("stream_name"), QString()}},
                   QStringLiteral("stream_name"), QStringLiteral("non_empty"));
        expectRule({{QStringLiteral("stream_url"), m_ipcam.url()}, {QStringLiteral("stream_name"), name},
                    {QStringLiteral("stream_type"), QStringLiteral("Generic-RTSP")}},
                   QStringLiteral("stream_type"), QStringLiteral("pattern"));
        // What MediaMTX v1.20.1 refuses at load time (internal/conf/path.go
        // validateURL) is refused here, with a hint that says what to change.
        const auto expectHint = [&](const QString &url, const QString &hint) {
            const QJsonObject r = m_op->call(QStringLiteral("add_external_stream"), {{QStringLiteral("stream_url"), url}, {QStringLiteral("stream_name"), name}});
            QVERIFY2(rpcCode(r) == -32602 && rpcDataString(r, "param") == QLatin1String("stream_url") && rpcDataString(r, "rule") == QLatin1String("pattern"),
                     compact(r));
            QVERIFY2(rpcDataString(r, "hint").contains(hint), compact(r));
            QVERIFY2(!compact(r).contains("s3cr3t"), compact(r));
        };
        expectHint(QStringLiteral("rtsp://admin@127.0.0.1:%1/cam").arg(m_ipcam.port()), QStringLiteral("both a user name and a password"));
        expectHint(QStringLiteral("rtsp://admin:@127.0.0.1:%1/cam").arg(m_ipcam.port()), QStringLiteral("both a user name and a password"));
        expectHint(QStringLiteral("rtsp://admin:s3cr3t pw@127.0.0.1:%1/cam").arg(m_ipcam.port()), QStringLiteral("Percent-encode"));
        expectHint(QStringLiteral("rtsp://admin:s3cr3t#pw@127.0.0.1:%1/cam").arg(m_ipcam.port()), QStringLiteral("%23"));
        expectHint(QStringLiteral("rtsp://127.0.0.1:%1:1/cam").arg(m_ipcam.port()), QStringLiteral("port number"));
        // Nothing was registered by the failures.
        QCOMPARE(ok(QStringLiteral("get_camera_list")).value(QLatin1String("total")).toInt(), 2);
    }

    void addListAndSnapshot()
    {
        const QJsonObject r = add(m_ipcam.url(), QStringLiteral("Loopback camera"));
        QCOMPARE(r.value(QLatin1String("status")).toString(), QStringLiteral("ADDED"));
        QCOMPARE(r.value(QLatin1String("stream_url")).toString(), m_ipcam.url());
        QCOMPARE(r.value(QLatin1String("stream_name")).toString(), QStringLiteral("Loopback camera"));
        QCOMPARE(r.value(QLatin1String("stream_type")).toString(), QStringLiteral("generic_rtsp"));
        m_device = r.value(QLatin1String("device")).toString();
        QCOMPARE(m_device, QStringLiteral("camera2"));  // after the two demo cameras

        const QJsonObject cam = cameraIn(ok(QStringLiteral("get_camera_list")), m_device);
        QVERIFY(!cam.isEmpty());
        QCOMPARE(cam.value(QLatin1String("source_type")).toString(), QStringLiteral("rtsp"));
        QCOMPARE(cam.value(QLatin1String("name")).toString(), QStringLiteral("Loopback camera"));
        // The URL handed out, with its read token (API.md §2.9; tst_stream_access reads with it).
        const QString rtsp = cam.value(QLatin1String("streams")).toObject().value(QLatin1String("rtsp")).toString();
        QCOMPARE(rtsp.section(QLatin1Char('?'), 0, 0), QStringLiteral("rtsp://127.0.0.1:%1/%2").arg(m_station->mediaMtxRtspPort()).arg(m_device));
        QVERIFY2(rtsp.section(QLatin1Char('?'), 1).startsWith(QLatin1String("token=")), qPrintable(rtsp));

        const QJsonObject ext = ok(QStringLiteral("get_external_streams"));
        const QJsonObject entry = streamIn(ext.value(QLatin1String("external_streams")).toArray(), m_ipcam.url());
        QVERIFY2(!entry.isEmpty(), compact(ext));
        QCOMPARE(entry.value(QLatin1String("device")).toString(), m_device);
        QCOMPARE(entry.value(QLatin1String("type")).toString(), QStringLiteral("generic_rtsp"));
        QVERIFY(!streamIn(ext.value(QLatin1String("generic_streams")).toArray(), m_ipcam.url()).isEmpty());
        QCOMPARE(ext.value(QLatin1String("total_count")).toInt(), ext.value(QLatin1String("external_streams")).toArray().size());

        // MediaMTX pulls the network camera; the snapshot comes from it.
        QElapsedTimer t;
        t.start();
        const QJsonObject snap = ok(QStringLiteral("take_snapshot"), {{QStringLiteral("device"), m_device}}, 30000);
        qInfo("snapshot of the network camera: %lld ms", t.elapsed());
        QCOMPARE(snap.value(QLatin1String("status")).toString(), QStringLiteral("SUCCESS"));
        QCOMPARE(snap.value(QLatin1String("resolution")).toString(), QStringLiteral("640x360"));
        QImageReader reader(snap.value(QLatin1String("file_path")).toString());
        QCOMPARE(reader.read().size(), QSize(640, 360));
        QVERIFY(m_ipcam.connections() >= 1);
    }

    void credentialsAreRedacted()
    {
        const QString secretUrl = QStringLiteral("rtsp://viewer:s3cr3tPass@127.0.0.1:%1/other").arg(m_ipcam.port());
        const QString shown = QStringLiteral("rtsp://viewer:***@127.0.0.1:%1/other").arg(m_ipcam.port());
        const QJsonObject r = m_op->call(QStringLiteral("add_external_stream"),
                                         {{QStringLiteral("stream_url"), secretUrl}, {QStringLiteral("stream_name"), QStringLiteral("With password")}});
        QVERIFY2(rpcIsSuccess(r), compact(r));
        QVERIFY2(!compact(r).contains("s3cr3tPass"), compact(r));
        QCOMPARE(rpcResult(r).value(QLatin1String("stream_url")).toString(), shown);
        const QJsonObject ext = ok(QStringLiteral("get_external_streams"));
        QVERIFY2(!compact(ext).contains("s3cr3tPass"), compact(ext));
        QVERIFY2(!streamIn(ext.value(QLatin1String("external_streams")).toArray(), shown).isEmpty(), compact(ext));
        QVERIFY(!compact(ok(QStringLiteral("get_camera_list"))).contains("s3cr3tPass"));
        // Removed by URL with credentials ignored.
        const QJsonObject rm = ok(QStringLiteral("remove_external_stream"),
                                  {{QStringLiteral("stream_url"), QStringLiteral("rtsp://127.0.0.1:%1/other").arg(m_ipcam.port())}});
        QCOMPARE(rm.value(QLatin1String("status")).toString(), QStringLiteral("REMOVED"));
        QVERIFY(!compact(rm).contains("s3cr3tPass"));
    }

    void readdIsIdempotent()
    {
        const QJsonObject r = add(m_ipcam.url(), QStringLiteral("Renamed camera"));
        QCOMPARE(r.value(QLatin1String("device")).toString(), m_device);
        const QJsonObject list = ok(QStringLiteral("get_camera_list"));
        QCOMPARE(cameraIn(list, m_device).value(QLatin1String("name")).toString(), QStringLiteral("Renamed camera"));
        int count = 0;
        for (const QJsonValue &v : ok(QStringLiteral("get_external_streams")).value(QLatin1String("external_streams")).toArray())
            count += v.toObject().value(QLatin1String("url")).toString() == m_ipcam.url() ? 1 : 0;
        QCOMPARE(count, 1);
        // An upper-case scheme (MediaMTX matches the prefix case-sensitively)
        // is the same camera, stored as MediaMTX needs it.
        QString upper = m_ipcam.url();
        upper.replace(0, 4, QStringLiteral("RTSP"));
        QCOMPARE(add(upper, QStringLiteral("Renamed camera")).value(QLatin1String("device")).toString(), m_device);
        QVERIFY(!streamIn(ok(QStringLiteral("get_external_streams")).value(QLatin1String("external_streams")).toArray(), m_ipcam.url()).isEmpty());
    }

    void removeWhileRecordingIsRefused()
    {
        const QJsonObject rec = ok(QStringLiteral("start_recording"), {{QStringLiteral("device"), m_device}}, 30000);
        QCOMPARE(rec.value(QLatin1String("status")).toString(), QStringLiteral("RECORDING"));
        const QJsonObject rm = m_op->call(QStringLiteral("remove_external_stream"), {{QStringLiteral("stream_url"), m_ipcam.url()}});
        QCOMPARE(rpcCode(rm), -32020);
        QCOMPARE(rpcDataString(rm, "state"), QStringLiteral("RECORDING"));
        QTest::qWait(1500);
        const QJsonObject stopped = ok(QStringLiteral("stop_recording"), {{QStringLiteral("device"), m_device}});
        QCOMPARE(stopped.value(QLatin1String("status")).toString(), QStringLiteral("STOPPED"));
        QVERIFY(stopped.value(QLatin1String("file_size")).toInteger() > 0);
    }

    void removeAndReadd()
    {
        m_op->drain();
        const QJsonObject rm = ok(QStringLiteral("remove_external_stream"), {{QStringLiteral("stream_url"), m_ipcam.url()}});
        QCOMPARE(rm.value(QLatin1String("status")).toString(), QStringLiteral("REMOVED"));
        QCOMPARE(rm.value(QLatin1String("device")).toString(), m_device);
        QJsonObject last;
        QVERIFY2(waitFor([&] {
                     const QJsonObject n = m_op->waitNotification(QStringLiteral("camera_status_update"), 100);
                     if (n.value(QLatin1String("params")).toObject().value(QLatin1String("device")).toString() == m_device)
                         last = n.value(QLatin1String("params")).toObject();
                     return last.value(QLatin1String("status")).toString() == QLatin1String("DISCONNECTED");
                 }, 5000),
                 compact(last));
        QCOMPARE(last.value(QLatin1String("source_type")).toString(), QStringLiteral("rtsp"));
        QVERIFY(cameraIn(ok(QStringLiteral("get_camera_list")), m_device).isEmpty());
        QVERIFY(streamIn(ok(QStringLiteral("get_external_streams")).value(QLatin1String("external_streams")).toArray(), m_ipcam.url())
                    .value(QLatin1String("device")).toString() != m_device);
        QCOMPARE(rpcCode(m_op->call(QStringLiteral("get_camera_status"), {{QStringLiteral("device"), m_device}})), -32010);
        const QJsonObject again = m_op->call(QStringLiteral("remove_external_stream"), {{QStringLiteral("stream_url"), m_ipcam.url()}});
        QCOMPARE(rpcCode(again), -32010);
        QCOMPARE(rpcDataString(again, "resource"), QStringLiteral("external_stream"));

        // The ID stays reserved for that URL.
        const QJsonObject r = add(m_ipcam.url(), QStringLiteral("Back again"));
        QCOMPARE(r.value(QLatin1String("device")).toString(), m_device);
        QCOMPARE(cameraIn(ok(QStringLiteral("get_camera_list")), m_device).value(QLatin1String("name")).toString(), QStringLiteral("Back again"));
    }

    // MediaMTX pulls a network camera itself (path `source: rtsp://…`); when it cannot,
    // v1.20.1 keeps the path unavailable, lists only its source type, and logs
    // "ERR [path NAME] [RTSP source] <error>" at each attempt, retrying every 5 s while a
    // reader waits (internal/staticsources/handler.go). Three such failures within 60 s
    // put the camera in ERROR with a plain reason; the first good pull clears it.
    void deadNetworkCameraSetsErrorUntilItComesBack()
    {
        const quint16 port = StationProcess::freePort();  // nothing listens here yet
        const QString deadUrl = QStringLiteral("rtsp://127.0.0.1:%1/cam").arg(port);
        const QJsonObject added = add(deadUrl, QStringLiteral("Dead camera"));
        const QString device = added.value(QLatin1String("device")).toString();
        QVERIFY2(!device.isEmpty(), compact(added));
        const auto status = [&] { return cameraIn(ok(QStringLiteral("get_camera_list")), device).value(QLatin1String("status")).toString(); };
        QCOMPARE(status(), QStringLiteral("CONNECTED"));
        const QString url = cameraIn(ok(QStringLiteral("get_camera_list")), device).value(QLatin1String("streams")).toObject()
                                .value(QLatin1String("rtsp")).toString();
        // A reader asks for the stream (with the token the API hands out), so MediaMTX
        // starts the on-demand source; it asks again after sourceOnDemandStartTimeout (15 s).
        std::unique_ptr<QTcpSocket> rtsp;
        QElapsedTimer since;
        const auto demand = [&] {
            if (rtsp && rtsp->state() == QAbstractSocket::ConnectedState && since.elapsed() < 16000)
                return;
            rtsp = std::make_unique<QTcpSocket>();
            rtsp->connectToHost(QHostAddress::LocalHost, m_station->mediaMtxRtspPort());
            if (rtsp->waitForConnected(3000))
                rtsp->write(QStringLiteral("DESCRIBE %1 RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n").arg(url).toUtf8());
            since.start();
        };
        QElapsedTimer t;
        t.start();
        QVERIFY2(waitFor([&] { demand(); return status() == QLatin1String("ERROR"); }, 45000, 200), qPrintable(m_station->log().right(4000)));
        qInfo("dead network camera: ERROR after %lld ms", t.elapsed());
        const QString expected = QStringLiteral("%1 in error: cannot read the camera's stream: nothing accepts connections at 127.0.0.1:%2")
                                     .arg(device).arg(port);
        QVERIFY2(m_station->log().contains(expected), qPrintable(m_station->log().right(4000)));
        // The other cameras are untouched.
        QCOMPARE(cameraIn(ok(QStringLiteral("get_camera_list")), QStringLiteral("camera0")).value(QLatin1String("status")).toString(),
                 QStringLiteral("CONNECTED"));

        // The camera comes back on the same address: the next reader gets video, the error clears.
        IpCamera back;
        QVERIFY2(back.start(port), qPrintable(back.output()));
        rtsp.reset();
        t.restart();
        QVERIFY2(waitFor([&] { demand(); return status() == QLatin1String("CONNECTED"); }, 30000, 200), qPrintable(m_station->log().right(4000)));
        qInfo("network camera back: CONNECTED after %lld ms", t.elapsed());
        QVERIFY(m_station->log().contains(QStringLiteral("%1 recovered").arg(device)));
        QVERIFY(back.connections() >= 1);
        rtsp.reset();
        QCOMPARE(ok(QStringLiteral("remove_external_stream"), {{QStringLiteral("stream_url"), deadUrl}}).value(QLatin1String("status")).toString(),
                 QStringLiteral("REMOVED"));
    }

    void discoveryDisabled()
    {
        const QJsonObject d = m_op->call(QStringLiteral("discover_external_streams"), {{QStringLiteral("generic_enabled"), true}});
        QCOMPARE(rpcCode(d), -32030);
        QCOMPARE(rpcDataString(d, "feature"), QStringLiteral("external_discovery"));
        const QJsonObject s = m_op->call(QStringLiteral("set_discovery_interval"), {{QStringLiteral("scan_interval"), 300}});
        QCOMPARE(rpcCode(s), -32030);
        QCOMPARE(rpcDataString(s, "feature"), QStringLiteral("external_discovery"));
    }

    void discovery()
    {
        QTemporaryDir data;
        const QStringList args{QStringLiteral("--set"), QStringLiteral("external_discovery.enabled=true"),
                               QStringLiteral("--set"), QStringLiteral("external_discovery.skydio_subnet=127.0.0.0/30"),
                               QStringLiteral("--set"), QStringLiteral("external_discovery.generic_targets=127.0.0.1:%1/cam").arg(m_ipcam.port()),
                               QStringLiteral("--set"), QStringLiteral("external_discovery.scan_timeout_s=10")};
        {
            StationProcess station(args, data.path());
            station.useMediaMtx();
            QVERIFY2(station.start(), qPrintable(station.log()));
            WsClient c;
            QVERIFY(c.open(station.wsUrl()));
            QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
            QElapsedTimer t;
            t.start();
            const QJsonObject r = c.call(QStringLiteral("discover_external_streams"),
                                         {{QStringLiteral("generic_enabled"), true}, {QStringLiteral("force_rescan"), true}}, 30000);
            qInfo("discovery scan: %lld ms", t.elapsed());
            QVERIFY2(rpcIsSuccess(r), compact(r));
            const QJsonObject res = rpcResult(r);
            const QJsonObject found = streamIn(res.value(QLatin1String("generic_streams")).toArray(), m_ipcam.url());
            QVERIFY2(!found.isEmpty(), compact(res));
            QCOMPARE(found.value(QLatin1String("status")).toString(), QStringLiteral("DISCOVERED"));
            QCOMPARE(found.value(QLatin1String("type")).toString(), QStringLiteral("generic_rtsp"));
            QCOMPARE(found.value(QLatin1String("capabilities")).toObject().value(QLatin1String("codec")).toString(), QStringLiteral("h264"));
            QCOMPARE(found.value(QLatin1String("capabilities")).toObject().value(QLatin1String("port")).toInt(), int(m_ipcam.port()));
            QVERIFY(!streamIn(res.value(QLatin1String("discovered_streams")).toArray(), m_ipcam.url()).isEmpty());
            QCOMPARE(res.value(QLatin1String("discovery_options")).toObject().value(QLatin1String("generic_enabled")).toBool(), true);
            QVERIFY(res.value(QLatin1String("total_found")).toInt() >= 1);
            // Nothing answers on 127.0.0.1-2:5554/6554: no Skydio stream.
            QVERIFY2(res.value(QLatin1String("skydio_streams")).toArray().isEmpty(), compact(res));

            const QJsonObject bad = c.call(QStringLiteral("set_discovery_interval"), {{QStringLiteral("scan_interval"), 5}});
            QCOMPARE(rpcCode(bad), -32602);
            const QJsonObject set = c.call(QStringLiteral("set_discovery_interval"), {{QStringLiteral("scan_interval"), 10}});
            QVERIFY2(rpcIsSuccess(set), compact(set));
            QCOMPARE(rpcResult(set).value(QLatin1String("scan_interval")).toInt(), 10);
            QCOMPARE(rpcResult(set).value(QLatin1String("status")).toString(), QStringLiteral("UPDATED"));
            station.stop();
            QCOMPARE(station.exitCode(), 0);
        }
        // Restarted on the same data: the persisted 10 s interval makes it scan by itself
        // (the configured external_discovery.scan_interval_s is 0), probing the IP camera.
        StationProcess station(args, data.path());
        station.useMediaMtx();
        const int before = m_ipcam.connections();
        QVERIFY2(station.start(), qPrintable(station.log()));
        QElapsedTimer t;
        t.start();
        QVERIFY2(waitFor([&] { return m_ipcam.connections() > before; }, 15000, 100),
                 "no periodic scan after the restart: the discovery interval was not persisted");
        qInfo("first periodic probe %lld ms after the restart", t.elapsed());
    }
};

QTEST_GUILESS_MAIN(TestExternalStreams)
#include "tst_external_streams.moc"
