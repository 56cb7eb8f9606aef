// Cameras, snapshots, recordings and streaming of the real binary with
// MediaMTX (API.md §5, §6, §7, §8, §12.3): two synthetic test-pattern
// cameras published through the MediaMTX stand-in (or a real MediaMTX from
// $STATION_TEST_MEDIAMTX); files are checked on disk with QImageReader and ffprobe.
#include "HttpClient.h"
#include "FaultTools.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QUrl>

#include <csignal>
#include <sys/statvfs.h>

using namespace station::test;

namespace {

QJsonObject dev(const QString &device)
{
    return {{QStringLiteral("device"), device}};
}

const QRegularExpression kIsoTime(QStringLiteral(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"));

} // namespace

class TestMedia : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;
    std::unique_ptr<WsClient> m_admin;
    qint64 m_nextRawId = 100000;

    QJsonObject call(const QString &method, const QJsonObject &params = {}, int timeoutMs = 20000)
    {
        return m_admin->call(method, params, timeoutMs);
    }

    QJsonObject ok(const QString &method, const QJsonObject &params = {}, int timeoutMs = 20000)
    {
        const QJsonObject r = call(method, params, timeoutMs);
        if (!rpcIsSuccess(r))
            qWarning("%s %s → %s", qPrintable(method), compact(params).constData(), compact(r).constData());
        return rpcResult(r);
    }

    qint64 sendRaw(WsClient &c, const QString &method, const QJsonObject &params)
    {
        const qint64 id = m_nextRawId++;
        c.sendText(QString::fromUtf8(compact(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                                         {QStringLiteral("method"), method},
                                                         {QStringLiteral("params"), params},
                                                         {QStringLiteral("id"), id}})));
        return id;
    }

    // The file of a recording or snapshot on disk (the namespaces are flat; sub-folders vary).
    QString onDisk(const QString &root, const QString &filename)
    {
        QDirIterator it(root, {filename}, QDir::Files, QDirIterator::Subdirectories);
        return it.hasNext() ? it.next() : QString();
    }

    // A stream URL handed out, without its read token (API.md §2.9): the URL itself when
    // the query is exactly one token=<JWT>, else something no expected URL equals.
    static QString tokenless(const QString &url)
    {
        const QString query = url.section(QLatin1Char('?'), 1);
        if (!query.startsWith(QLatin1String("token=")) || query.count(QLatin1Char('.')) != 2 || query.contains(QLatin1Char('&')))
            return url + QStringLiteral(" (no read token)");
        return url.section(QLatin1Char('?'), 0, 0);
    }

    // One sample of the station's /metrics (-1 when the series is absent).
    double metric(const QByteArray &series) const
    {
        const QByteArray body = httpGet(m_station->healthPort(), "/metrics").body;
        for (const QByteArray &line : body.split('\n')) {
            if (line.startsWith(series + ' '))
                return line.mid(series.size() + 1).toDouble();
        }
        return -1;
    }

    QString rtspUrl(const QString &device) const
    {
        return QStringLiteral("rtsp://127.0.0.1:%1/%2").arg(m_station->mediaMtxRtspPort()).arg(device);
    }

    QJsonObject waitRecordingEvent(WsClient &c, const QString &device, const QString &status, int timeoutMs, bool resumed = false)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            const QJsonObject n = c.waitNotification(QStringLiteral("recording_status_update"), int(std::max<qint64>(1, timeoutMs - t.elapsed())));
            const QJsonObject p = n.value(QLatin1String("params")).toObject();
            if (p.value(QLatin1String("device")).toString() == device && p.value(QLatin1String("status")).toString() == status
                && (!resumed || p.value(QLatin1String("resumed")).toBool()))
                return p;
        }
        return {};
    }

    void checkJpeg(const QJsonObject &snap)
    {
        QCOMPARE(snap.value(QLatin1String("status")).toString(), QStringLiteral("SUCCESS"));
        QCOMPARE(snap.value(QLatin1String("resolution")).toString(), QStringLiteral("640x360"));
        QVERIFY(kIsoTime.match(snap.value(QLatin1String("timestamp")).toString()).hasMatch());
        const QString path = onDisk(m_station->snapshotsDir(), snap.value(QLatin1String("filename")).toString());
        QVERIFY2(!path.isEmpty(), compact(snap));
        QCOMPARE(QFileInfo(snap.value(QLatin1String("file_path")).toString()).canonicalFilePath(), QFileInfo(path).canonicalFilePath());
        QCOMPARE(snap.value(QLatin1String("file_size")).toInteger(), QFileInfo(path).size());
        QImageReader reader(path);
        QCOMPARE(reader.format(), QByteArray("jpeg"));
        const QImage img = reader.read();
        QVERIFY2(!img.isNull(), qPrintable(reader.errorString()));
        QCOMPARE(img.size(), QSize(640, 360));
        QVERIFY(snap.value(QLatin1String("download_url")).toString().startsWith(QStringLiteral("http://127.0.0.1:%1/files/snapshots/").arg(m_station->apiPort())));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_station = std::make_unique<StationProcess>(QStringList{
            QStringLiteral("--set"), QStringLiteral("cameras.demo=2"),
            QStringLiteral("--set"), QStringLiteral("mediamtx.close_after_s=2"),
            QStringLiteral("--set"), QStringLiteral("mediamtx.health_check_interval_s=1"),
            QStringLiteral("--set"), QStringLiteral("security.rate_limit.per_second=100000"),
            QStringLiteral("--set"), QStringLiteral("security.rate_limit.burst=100000"),
            QStringLiteral("--set"), QStringLiteral("security.rate_limit.per_address_per_second=100000"),
            QStringLiteral("--set"), QStringLiteral("security.rate_limit.per_address_burst=100000")});
        m_station->useMediaMtx();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
        QVERIFY(waitFor([&] { return httpGet(m_station->healthPort(), "/health/ready").status == 200; }, 10000));
        m_admin = std::make_unique<WsClient>();
        QVERIFY(m_admin->open(m_station->wsUrl()));
        QVERIFY(m_admin->authenticate(StationProcess::token(QStringLiteral("admin"))));
    }

    void cleanup()
    {
        if (QTest::currentTestFailed() && m_station)
            qWarning("station %s; log tail:\n%s", m_station->isRunning() ? "running" : "NOT running",
                     qPrintable(m_station->log().right(6000)));
    }

    void cameraList()
    {
        const QJsonObject r = ok(QStringLiteral("get_camera_list"));
        QCOMPARE(r.value(QLatin1String("total")).toInt(), 2);
        QCOMPARE(r.value(QLatin1String("connected")).toInt(), 2);
        const QJsonArray cams = r.value(QLatin1String("cameras")).toArray();
        QCOMPARE(cams.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const QJsonObject c = cams.at(i).toObject();
            const QString id = QStringLiteral("camera%1").arg(i);
            QCOMPARE(c.value(QLatin1String("device")).toString(), id);
            QCOMPARE(c.value(QLatin1String("source_type")).toString(), QStringLiteral("test"));
            QCOMPARE(c.value(QLatin1String("status")).toString(), QStringLiteral("CONNECTED"));
            QCOMPARE(c.value(QLatin1String("resolution")).toString(), QStringLiteral("640x360"));
            QCOMPARE(c.value(QLatin1String("fps")).toInt(), 25);
            QVERIFY(!c.value(QLatin1String("name")).toString().isEmpty());
            QVERIFY(!c.contains(QLatin1String("debug")));
            // The public host is the Host of the WebSocket handshake (127.0.0.1), never "localhost" made up.
            const QJsonObject streams = c.value(QLatin1String("streams")).toObject();
            QCOMPARE(streams.keys(), (QStringList{QStringLiteral("hls"), QStringLiteral("rtsp"), QStringLiteral("webrtc")}));
            QCOMPARE(tokenless(streams.value(QLatin1String("rtsp")).toString()), rtspUrl(id));
            QCOMPARE(tokenless(streams.value(QLatin1String("hls")).toString()),
                     QStringLiteral("http://127.0.0.1:%1/%2/index.m3u8").arg(m_station->mediaMtxPort(QStringLiteral("hls_port"))).arg(id));
            QCOMPARE(tokenless(streams.value(QLatin1String("webrtc")).toString()),
                     QStringLiteral("http://127.0.0.1:%1/%2").arg(m_station->mediaMtxPort(QStringLiteral("webrtc_port"))).arg(id));
        }
    }

    void cameraStatusAndCapabilities()
    {
        const QJsonObject s = ok(QStringLiteral("get_camera_status"), dev(QStringLiteral("camera1")));
        QCOMPARE(s.value(QLatin1String("device")).toString(), QStringLiteral("camera1"));
        QCOMPARE(s.value(QLatin1String("status")).toString(), QStringLiteral("CONNECTED"));
        QCOMPARE(s.value(QLatin1String("source_type")).toString(), QStringLiteral("test"));
        const QJsonObject metrics = s.value(QLatin1String("metrics")).toObject();
        for (const char *k : {"bytes_sent", "readers", "uptime"})
            QVERIFY2(metrics.value(QLatin1String(k)).isDouble(), compact(s));
        const QJsonObject caps = s.value(QLatin1String("capabilities")).toObject();
        QVERIFY2(caps.value(QLatin1String("formats")).isArray() && caps.value(QLatin1String("resolutions")).isArray(), compact(s));
        QCOMPARE(s.value(QLatin1String("recording")).toBool(true), false);
        QCOMPARE(s.value(QLatin1String("streaming")).toBool(true), false);

        const QJsonObject c = ok(QStringLiteral("get_camera_capabilities"), dev(QStringLiteral("camera1")));
        QCOMPARE(c.value(QLatin1String("device")).toString(), QStringLiteral("camera1"));
        QVERIFY2(c.value(QLatin1String("resolutions")).toArray().contains(QStringLiteral("640x360")), compact(c));
        QVERIFY2(c.value(QLatin1String("fps_options")).toArray().contains(25), compact(c));
        QVERIFY2(c.value(QLatin1String("formats")).isArray(), compact(c));
        QCOMPARE(c.value(QLatin1String("validation_status")).toString(), QStringLiteral("CONFIRMED"));
        QCOMPARE(caps.value(QLatin1String("resolutions")), c.value(QLatin1String("resolutions")));

        QCOMPARE(rpcCode(call(QStringLiteral("get_camera_status"), dev(QStringLiteral("camera55")))), -32010);
        QCOMPARE(rpcDataString(call(QStringLiteral("get_camera_status"), dev(QStringLiteral("camera55"))), "resource"), QStringLiteral("camera"));
        QCOMPARE(rpcDataString(call(QStringLiteral("get_camera_capabilities"), dev(QStringLiteral("cam0"))), "rule"), QStringLiteral("pattern"));
    }

    void snapshots()
    {
        QElapsedTimer t;
        t.start();
        const QJsonObject cold = ok(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera1")));
        const qint64 coldMs = t.elapsed();
        checkJpeg(cold);
        t.restart();
        const QJsonObject warm = ok(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera1")));
        const qint64 warmMs = t.elapsed();
        checkJpeg(warm);
        qInfo("snapshot latency: cold %lld ms, warm %lld ms", coldMs, warmMs);
        // The warm reader decodes: its frames are counted per camera (issue 15).
        QVERIFY2(waitFor([&] { return metric("camera_station_camera_frames_decoded_total{camera=\"camera1\"}") > 0; }, 5000),
                 httpGet(m_station->healthPort(), "/metrics").body.constData());
        QVERIFY(cold.value(QLatin1String("filename")).toString().startsWith(QLatin1String("camera1_")));
        QVERIFY(cold.value(QLatin1String("filename")).toString().endsWith(QLatin1String(".jpg")));
        QVERIFY(cold.value(QLatin1String("filename")) != warm.value(QLatin1String("filename")));
        QVERIFY2(warmMs < 10000 && coldMs < 10000, "snapshots.timeout_s is 10 s");

        // A burst: several snapshots within one second never share a name.
        QList<qint64> ids;
        for (int i = 0; i < 3; ++i)
            ids << sendRaw(*m_admin, QStringLiteral("take_snapshot"), dev(QStringLiteral("camera1")));
        QSet<QString> names;
        for (int i = 0; i < 3; ++i) {
            const QJsonValue r = m_admin->nextResponse(20000);
            QVERIFY2(rpcIsSuccess(r), compact(r));
            checkJpeg(rpcResult(r));
            names.insert(rpcResult(r).value(QLatin1String("filename")).toString());
        }
        QCOMPARE(names.size(), 3);

        // Custom names: ".jpg" is appended; a taken name gets "_1".
        const QJsonObject named = ok(QStringLiteral("take_snapshot"), {{QStringLiteral("device"), QStringLiteral("camera1")},
                                                                       {QStringLiteral("filename"), QStringLiteral("front_door")}});
        QCOMPARE(named.value(QLatin1String("filename")).toString(), QStringLiteral("front_door.jpg"));
        checkJpeg(named);
        const QByteArray first = files_readAll(onDisk(m_station->snapshotsDir(), QStringLiteral("front_door.jpg")));
        const QJsonObject again = ok(QStringLiteral("take_snapshot"), {{QStringLiteral("device"), QStringLiteral("camera1")},
                                                                       {QStringLiteral("filename"), QStringLiteral("front_door.jpg")}});
        QCOMPARE(again.value(QLatin1String("filename")).toString(), QStringLiteral("front_door_1.jpg"));
        checkJpeg(again);
        // The first one was not overwritten.
        QCOMPARE(files_readAll(onDisk(m_station->snapshotsDir(), QStringLiteral("front_door.jpg"))), first);

        const QJsonObject png = call(QStringLiteral("take_snapshot"), {{QStringLiteral("device"), QStringLiteral("camera1")},
                                                                       {QStringLiteral("filename"), QStringLiteral("front_door.png")}});
        QCOMPARE(rpcCode(png), -32602);
        QCOMPARE(rpcDataString(png, "rule"), QStringLiteral("extension"));
        QCOMPARE(rpcDataString(png, "param"), QStringLiteral("filename"));
        const QJsonObject unknown = call(QStringLiteral("take_snapshot"), dev(QStringLiteral("camera42")));
        QCOMPARE(rpcCode(unknown), -32010);
        QCOMPARE(rpcDataString(unknown, "resource"), QStringLiteral("camera"));
        QCOMPARE(rpcDataString(unknown, "id"), QStringLiteral("camera42"));

        // The catalog knows them.
        const QJsonObject info = ok(QStringLiteral("get_snapshot_info"), {{QStringLiteral("filename"), QStringLiteral("front_door_1.jpg")}});
        QCOMPARE(info.value(QLatin1String("resolution")).toString(), QStringLiteral("640x360"));
        // Custom-named snapshots are stored flat: the device may be unknown (null), never another camera.
        QVERIFY2(info.value(QLatin1String("device")).isNull() || info.value(QLatin1String("device")).toString() == QLatin1String("camera1"),
                 compact(info));
        const QJsonObject auto1 = ok(QStringLiteral("get_snapshot_info"), {{QStringLiteral("filename"), cold.value(QLatin1String("filename"))}});
        QCOMPARE(auto1.value(QLatin1String("device")).toString(), QStringLiteral("camera1"));
        QCOMPARE(auto1.value(QLatin1String("file_size")), cold.value(QLatin1String("file_size")));
    }

    static QByteArray files_readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    void timedRecording()
    {
        WsClient c;  // its own connection, to see the order of response and events
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("operator"))));
        QElapsedTimer t;
        t.start();
        const qint64 id = sendRaw(c, QStringLiteral("start_recording"), {{QStringLiteral("device"), QStringLiteral("camera0")},
                                                                         {QStringLiteral("duration"), 5}});
        QJsonObject response;
        bool eventBeforeResponse = false;
        while (response.isEmpty() && t.elapsed() < 15000) {
            const QJsonValue m = c.nextMessage(15000);
            const QJsonObject o = m.toObject();
            if (o.value(QLatin1String("id")) == QJsonValue(double(id)))
                response = o;
            else if (o.value(QLatin1String("method")).toString() == QLatin1String("recording_status_update"))
                eventBeforeResponse = true;
        }
        const qint64 startMs = t.elapsed();
        QVERIFY2(rpcIsSuccess(response), compact(response));
        QVERIFY2(!eventBeforeResponse, "a recording_status_update overtook the start_recording response");
        qInfo("recording start latency: %lld ms", startMs);
        const QJsonObject started = rpcResult(response);
        QCOMPARE(started.value(QLatin1String("status")).toString(), QStringLiteral("RECORDING"));
        QCOMPARE(started.value(QLatin1String("device")).toString(), QStringLiteral("camera0"));
        QCOMPARE(started.value(QLatin1String("format")).toString(), QStringLiteral("fmp4"));
        QCOMPARE(started.value(QLatin1String("duration")).toInt(), 5);
        QVERIFY(!started.value(QLatin1String("session_id")).toString().isEmpty());
        const QString filename = started.value(QLatin1String("filename")).toString();
        QVERIFY2(filename.startsWith(QLatin1String("camera0_")) && filename.endsWith(QLatin1String(".mp4")), qPrintable(filename));
        QVERIFY2(!onDisk(m_station->recordingsDir(), filename).isEmpty(), qPrintable(filename));

        const QJsonObject rec = waitRecordingEvent(c, QStringLiteral("camera0"), QStringLiteral("RECORDING"), 3000);
        QVERIFY2(!rec.isEmpty(), "no RECORDING event");
        QCOMPARE(rec.value(QLatin1String("filename")).toString(), filename);
        QCOMPARE(rec.value(QLatin1String("session_id")), started.value(QLatin1String("session_id")));
        QCOMPARE(rec.value(QLatin1String("startTime")), rec.value(QLatin1String("start_time")));

        // While it runs: deleting its file is refused.
        const QJsonObject del = call(QStringLiteral("delete_recording"), {{QStringLiteral("filename"), filename}});
        QCOMPARE(rpcCode(del), -32020);
        QCOMPARE(rpcDataString(del, "state"), QStringLiteral("RECORDING"));
        const QJsonObject twice = call(QStringLiteral("start_recording"), dev(QStringLiteral("camera0")));
        QCOMPARE(rpcCode(twice), -32020);
        QCOMPARE(rpcDataString(twice, "state"), QStringLiteral("RECORDING"));
        QCOMPARE(rpcErrorData(twice).value(QLatin1String("allowed_states")).toArray(), QJsonArray{QStringLiteral("IDLE")});
        QCOMPARE(ok(QStringLiteral("get_camera_status"), dev(QStringLiteral("camera0"))).value(QLatin1String("recording")).toBool(), true);
        const QJsonObject progress = ok(QStringLiteral("get_recording_info"), {{QStringLiteral("filename"), filename}});
        QCOMPARE(progress.value(QLatin1String("in_progress")).toBool(), true);

        const QJsonObject stopped = waitRecordingEvent(c, QStringLiteral("camera0"), QStringLiteral("STOPPED"), 12000);
        const qint64 stoppedMs = t.elapsed();
        QVERIFY2(!stopped.isEmpty(), "no STOPPED event");
        QCOMPARE(stopped.value(QLatin1String("reason")).toString(), QStringLiteral("duration_elapsed"));
        const qint64 sessionMs = QDateTime::fromString(stopped.value(QLatin1String("start_time")).toString(), Qt::ISODateWithMs)
                                     .msecsTo(QDateTime::fromString(stopped.value(QLatin1String("end_time")).toString(), Qt::ISODateWithMs));
        qInfo("5 s recording: STOPPED event %lld ms after the request (%lld ms after the response), end_time - start_time = %lld ms",
              stoppedMs, stoppedMs - startMs, sessionMs);
        QVERIFY2(qAbs(sessionMs - 5000) <= 1000, QByteArray::number(sessionMs));
        // The client learns RECORDING from the response; STOPPED follows 5 s later, once the
        // file is final (the station waits until it has not grown for 1.2 s): 5 s + ~1.5 s.
        QVERIFY2(stoppedMs - startMs >= 4000 && stoppedMs - startMs <= 7500, QByteArray::number(stoppedMs - startMs));
        const QStringList files = [&] {
            QStringList l;
            for (const QJsonValue &v : stopped.value(QLatin1String("files")).toArray())
                l << v.toString();
            return l;
        }();
        QCOMPARE(files, QStringList{filename});
        const QString path = onDisk(m_station->recordingsDir(), filename);
        QCOMPARE(stopped.value(QLatin1String("file_size")).toInteger(), QFileInfo(path).size());
        // MediaMTX (and the stand-in) create the file only once its first 1 s part is
        // complete, after the first IDR: the station counts the duration from the first
        // sample (the file's name), not from the file's appearance. Tolerance ±0.5 s:
        // the stop lands within one poll and one frame of the requested end.
        const double d = probeDuration(path);
        qInfo("ffprobe duration of the 5 s recording: %.3f s", d);
        QVERIFY2(qAbs(d - 5.0) <= 0.5, QByteArray::number(d));

        // Catalog.
        const QJsonObject list = ok(QStringLiteral("list_recordings"), dev(QStringLiteral("camera0")));
        QJsonObject entry;
        for (const QJsonValue &v : list.value(QLatin1String("files")).toArray()) {
            if (v.toObject().value(QLatin1String("filename")).toString() == filename)
                entry = v.toObject();
        }
        QVERIFY2(!entry.isEmpty(), compact(list));
        QVERIFY2(qAbs(entry.value(QLatin1String("duration")).toInt(-100) - 5) <= 1, compact(entry));
        QCOMPARE(entry.value(QLatin1String("format")).toString(), QStringLiteral("fmp4"));
        QCOMPARE(entry.value(QLatin1String("device")).toString(), QStringLiteral("camera0"));
        QCOMPARE(entry.value(QLatin1String("file_size")).toInteger(), QFileInfo(path).size());
        const QJsonObject info = ok(QStringLiteral("get_recording_info"), {{QStringLiteral("filename"), filename}});
        QCOMPARE(info.value(QLatin1String("in_progress")).toBool(true), false);
        // The session id of a finished recording may be forgotten (null), never wrong.
        QVERIFY2(info.value(QLatin1String("session_id")).isNull() || info.value(QLatin1String("session_id")) == started.value(QLatin1String("session_id")),
                 compact(info));

        // Download a byte range through its download_url.
        const QUrl url(entry.value(QLatin1String("download_url")).toString());
        QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(url.port(), int(m_station->apiPort()));
        const QByteArray target = url.path(QUrl::FullyEncoded).toUtf8() + '?' + url.query(QUrl::FullyEncoded).toUtf8();
        const HttpResponse part = httpGet(m_station->apiPort(), target, {{"Range", "bytes=100-1099"}});
        QCOMPARE(part.status, 206);
        const QByteArray all = files_readAll(path);
        QCOMPARE(part.body, all.mid(100, 1000));
        QCOMPARE(part.header("Content-Range"), QByteArray("bytes 100-1099/") + QByteArray::number(all.size()));

        // Over: stopping again is an IDLE error; mkv is unsupported.
        const QJsonObject idle = call(QStringLiteral("stop_recording"), dev(QStringLiteral("camera0")));
        QCOMPARE(rpcCode(idle), -32020);
        QCOMPARE(rpcDataString(idle, "state"), QStringLiteral("IDLE"));
        const QJsonObject mkv = call(QStringLiteral("start_recording"), {{QStringLiteral("device"), QStringLiteral("camera0")},
                                                                         {QStringLiteral("format"), QStringLiteral("mkv")}});
        QCOMPARE(rpcCode(mkv), -32030);
        QCOMPARE(rpcDataString(mkv, "feature"), QStringLiteral("format:mkv"));
    }

    void stopRecordingResult()
    {
        QCOMPARE(rpcDataString(call(QStringLiteral("stop_recording"), dev(QStringLiteral("camera1"))), "state"), QStringLiteral("IDLE"));
        const QJsonObject started = ok(QStringLiteral("start_recording"), {{QStringLiteral("device"), QStringLiteral("camera1")},
                                                                           {QStringLiteral("format"), QStringLiteral("mp4")}});
        QCOMPARE(started.value(QLatin1String("format")).toString(), QStringLiteral("mp4"));
        QVERIFY(started.value(QLatin1String("duration")).isNull());
        // A streaming session opened meanwhile continues after stop_streaming while recording.
        QVERIFY(rpcIsSuccess(call(QStringLiteral("start_streaming"), dev(QStringLiteral("camera1")))));
        const QJsonObject ss = ok(QStringLiteral("stop_streaming"), dev(QStringLiteral("camera1")));
        QCOMPARE(ss.value(QLatin1String("stream_continues")).toBool(), true);
        QTest::qWait(2000);
        QCOMPARE(metric("camera_station_camera_recording{camera=\"camera1\"}"), 1.0);
        QCOMPARE(metric("camera_station_camera_recording{camera=\"camera0\"}"), 0.0);
        const QJsonObject stopped = ok(QStringLiteral("stop_recording"), dev(QStringLiteral("camera1")));
        QVERIFY(waitFor([&] { return metric("camera_station_camera_recording{camera=\"camera1\"}") == 0.0; }, 5000));
        QCOMPARE(stopped.value(QLatin1String("status")).toString(), QStringLiteral("STOPPED"));
        QCOMPARE(stopped.value(QLatin1String("reason")).toString(), QStringLiteral("user_request"));
        QCOMPARE(stopped.value(QLatin1String("filename")), started.value(QLatin1String("filename")));
        QCOMPARE(stopped.value(QLatin1String("session_id")), started.value(QLatin1String("session_id")));
        QCOMPARE(stopped.value(QLatin1String("start_time")), started.value(QLatin1String("start_time")));
        QVERIFY(kIsoTime.match(stopped.value(QLatin1String("end_time")).toString()).hasMatch());
        QVERIFY2(stopped.value(QLatin1String("duration")).toInt(-1) >= 2 && stopped.value(QLatin1String("duration")).toInt() <= 4, compact(stopped));
        const QJsonArray files = stopped.value(QLatin1String("files")).toArray();
        QCOMPARE(files.size(), 1);
        qint64 sum = 0;
        for (const QJsonValue &f : files) {
            const QString path = onDisk(m_station->recordingsDir(), f.toString());
            QVERIFY(!path.isEmpty());
            sum += QFileInfo(path).size();
        }
        QVERIFY(sum > 0);
        QCOMPARE(stopped.value(QLatin1String("file_size")).toInteger(), sum);
        // Final: nothing grows after stop_recording returned.
        QTest::qWait(1000);
        qint64 later = 0;
        for (const QJsonValue &f : files)
            later += QFileInfo(onDisk(m_station->recordingsDir(), f.toString())).size();
        QCOMPARE(later, sum);
        // Deletable now.
        QCOMPARE(ok(QStringLiteral("delete_recording"), {{QStringLiteral("filename"), files.at(0).toString()}}).value(QLatin1String("deleted")).toBool(), true);
    }

    void recordingSurvivesMediaMtxCrash()
    {
        m_admin->drain();
        const QJsonObject started = ok(QStringLiteral("start_recording"), dev(QStringLiteral("camera0")));
        QVERIFY(!started.isEmpty());
        QTest::qWait(2000);
        const qint64 mtx = m_station->mediaMtxPid();
        QVERIFY(mtx > 0);
        QCOMPARE(::kill(pid_t(mtx), SIGKILL), 0);
        const QJsonObject resumed = waitRecordingEvent(*m_admin, QStringLiteral("camera0"), QStringLiteral("RECORDING"), 20000, true);
        QVERIFY2(!resumed.isEmpty(), m_station->log().right(4000).toUtf8());
        QCOMPARE(resumed.value(QLatin1String("resumed")).toBool(), true);
        QVERIFY2(resumed.value(QLatin1String("gap_ms")).toInteger() > 0, compact(resumed));
        QCOMPARE(resumed.value(QLatin1String("session_id")), started.value(QLatin1String("session_id")));
        qInfo("recording resumed after a MediaMTX SIGKILL, gap %lld ms", resumed.value(QLatin1String("gap_ms")).toInteger());
        QTest::qWait(2000);
        const QJsonObject stopped = ok(QStringLiteral("stop_recording"), dev(QStringLiteral("camera0")));
        const QJsonArray files = stopped.value(QLatin1String("files")).toArray();
        QVERIFY2(files.size() >= 2, compact(stopped));
        QCOMPARE(files.at(0), started.value(QLatin1String("filename")));
        qint64 sum = 0;
        for (const QJsonValue &f : files) {
            const QString path = onDisk(m_station->recordingsDir(), f.toString());
            QVERIFY2(!path.isEmpty(), qPrintable(f.toString()));
            sum += QFileInfo(path).size();
            const double d = probeDuration(path);
            QVERIFY2(d > 0, qPrintable(f.toString() + QStringLiteral(": ffprobe duration %1").arg(d)));
        }
        QCOMPARE(stopped.value(QLatin1String("file_size")).toInteger(), sum);
    }

    void streaming()
    {
        QVERIFY(waitFor([&] { return httpGet(m_station->healthPort(), "/health/ready").status == 200; }, 10000));
        const QJsonObject a = ok(QStringLiteral("start_streaming"), dev(QStringLiteral("camera1")));
        QCOMPARE(a.value(QLatin1String("status")).toString(), QStringLiteral("STARTED"));
        QCOMPARE(a.value(QLatin1String("stream_name")).toString(), QStringLiteral("camera1"));
        QCOMPARE(tokenless(a.value(QLatin1String("stream_url")).toString()), rtspUrl(QStringLiteral("camera1")));
        QCOMPARE(a.value(QLatin1String("auto_close_after")).toString(), QStringLiteral("300s"));
        QCOMPARE(a.value(QLatin1String("ffmpeg_command")).toString(), QString());
        QCOMPARE(tokenless(a.value(QLatin1String("streams")).toObject().value(QLatin1String("rtsp")).toString()), rtspUrl(QStringLiteral("camera1")));
        QTest::qWait(1100);
        const QJsonObject b = ok(QStringLiteral("start_streaming"), dev(QStringLiteral("camera1")));
        QCOMPARE(b.value(QLatin1String("start_time")), a.value(QLatin1String("start_time")));  // idempotent

        const QJsonObject url = ok(QStringLiteral("get_stream_url"), dev(QStringLiteral("camera1")));
        QCOMPARE(url.value(QLatin1String("stream_status")).toString(), QStringLiteral("READY"));
        QCOMPARE(url.value(QLatin1String("available")).toBool(), true);
        QCOMPARE(tokenless(url.value(QLatin1String("whep_url")).toString()),
                 QStringLiteral("http://127.0.0.1:%1/camera1/whep").arg(m_station->mediaMtxPort(QStringLiteral("webrtc_port"))));
        const QJsonObject st = ok(QStringLiteral("get_stream_status"), dev(QStringLiteral("camera1")));
        QCOMPARE(st.value(QLatin1String("status")).toString(), QStringLiteral("ACTIVE"));
        QCOMPARE(st.value(QLatin1String("ready")).toBool(), true);
        QVERIFY2(st.value(QLatin1String("ffmpeg_process")).toObject().value(QLatin1String("running")).toBool(), compact(st));
        QVERIFY2(st.value(QLatin1String("ffmpeg_process")).toObject().value(QLatin1String("pid")).toInteger() > 0, compact(st));
        QVERIFY2(st.value(QLatin1String("mediamtx_path")).toObject().value(QLatin1String("exists")).toBool(), compact(st));
        QVERIFY(kIsoTime.match(st.value(QLatin1String("start_time")).toString()).hasMatch());
        QCOMPARE(ok(QStringLiteral("get_camera_status"), dev(QStringLiteral("camera1"))).value(QLatin1String("streaming")).toBool(), true);

        const QJsonObject streams = call(QStringLiteral("get_streams"));
        QVERIFY2(streams.value(QLatin1String("result")).isArray(), compact(streams));
        const QJsonArray arr = streams.value(QLatin1String("result")).toArray();
        QStringList names;
        QJsonObject cam1;
        for (const QJsonValue &v : arr) {
            names << v.toObject().value(QLatin1String("name")).toString();
            if (names.last() == QLatin1String("camera1"))
                cam1 = v.toObject();
        }
        QCOMPARE(names, (QStringList{QStringLiteral("camera0"), QStringLiteral("camera1")}));
        QCOMPARE(cam1.value(QLatin1String("ready")).toBool(), true);
        QCOMPARE(cam1.value(QLatin1String("source")).toString(), QStringLiteral("test"));
        QCOMPARE(cam1.value(QLatin1String("device")).toString(), QStringLiteral("camera1"));

        const QJsonObject stop = ok(QStringLiteral("stop_streaming"), dev(QStringLiteral("camera1")));
        QCOMPARE(stop.value(QLatin1String("status")).toString(), QStringLiteral("STOPPED"));
        QCOMPARE(stop.value(QLatin1String("stream_continues")).toBool(true), false);
        QCOMPARE(stop.value(QLatin1String("start_time")), a.value(QLatin1String("start_time")));
        QVERIFY(stop.value(QLatin1String("duration")).toInt(-1) >= 1);
        const QJsonObject again = call(QStringLiteral("stop_streaming"), dev(QStringLiteral("camera1")));
        QCOMPARE(rpcCode(again), -32020);
        QCOMPARE(rpcDataString(again, "state"), QStringLiteral("NOT_STREAMING"));

        // No session and no reader: the publisher stops close_after_s (2 s) after the last
        // reader leaves (API.md §2.9, §8.2).
        QElapsedTimer idleClock;
        idleClock.start();
        const auto inactive = [&] {
            return ok(QStringLiteral("get_stream_status"), dev(QStringLiteral("camera1"))).value(QLatin1String("status")).toString()
                == QLatin1String("INACTIVE");
        };
        const bool inactiveInTime = waitFor(inactive, 2000 + 3000, 250);
        qInfo("after stop_streaming: INACTIVE within close_after + 3 s: %s", inactiveInTime ? "yes" : "no");
        QVERIFY(inactiveInTime);
    }

    void externalReaderMakesStreamActive()
    {
        // A real RTSP client reads camera0: the path is ACTIVE and the reader is counted as a consumer.
        const auto consumers = [&] {
            return ok(QStringLiteral("get_stream_url"), dev(QStringLiteral("camera0"))).value(QLatin1String("active_consumers")).toInt(-1);
        };
        QVERIFY(waitFor([&] { return consumers() == 0; }, 5000, 250));
        QProcess reader;
        reader.setProcessChannelMode(QProcess::MergedChannels);
        reader.start(QStringLiteral("ffmpeg"), {QStringLiteral("-hide_banner"), QStringLiteral("-loglevel"), QStringLiteral("error"),
                                                QStringLiteral("-nostdin"), QStringLiteral("-rtsp_transport"), QStringLiteral("tcp"),
                                                QStringLiteral("-i"), ok(QStringLiteral("get_stream_url"), dev(QStringLiteral("camera0"))).value(QLatin1String("stream_url")).toString(),
                                                QStringLiteral("-t"), QStringLiteral("20"), QStringLiteral("-f"), QStringLiteral("null"), QStringLiteral("-")});
        QVERIFY(reader.waitForStarted());
        QJsonObject st;
        QVERIFY2(waitFor([&] {
                     st = ok(QStringLiteral("get_stream_status"), dev(QStringLiteral("camera0")));
                     return st.value(QLatin1String("status")).toString() == QLatin1String("ACTIVE") && consumers() == 1;
                 }, 15000, 250),
                 compact(st) + reader.readAll());
        QVERIFY(st.value(QLatin1String("mediamtx_path")).toObject().value(QLatin1String("readers")).toInt() >= 1);
        QCOMPARE(ok(QStringLiteral("get_stream_url"), dev(QStringLiteral("camera0"))).value(QLatin1String("stream_status")).toString(),
                 QStringLiteral("READY"));
        QVERIFY(st.value(QLatin1String("ffmpeg_process")).toObject().value(QLatin1String("pid")).toInteger() > 0);
        const qint64 publisher = st.value(QLatin1String("ffmpeg_process")).toObject().value(QLatin1String("pid")).toInteger();
        QVERIFY2(StationProcess::cmdline(publisher).contains("testsrc2"), StationProcess::cmdline(publisher));
        reader.kill();
        reader.waitForFinished();
        QVERIFY(waitFor([&] { return consumers() == 0; }, 5000, 250));
    }

    void perCameraOrdering()
    {
        WsClient c;
        QVERIFY(c.open(m_station->wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("operator"))));
        const qint64 snap = sendRaw(c, QStringLiteral("take_snapshot"), dev(QStringLiteral("camera1")));
        const qint64 start = sendRaw(c, QStringLiteral("start_recording"), dev(QStringLiteral("camera1")));
        const qint64 stop = sendRaw(c, QStringLiteral("stop_recording"), dev(QStringLiteral("camera1")));
        QList<qint64> order;
        QMap<qint64, QJsonObject> responses;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject r = c.nextResponse(30000).toObject();
            QVERIFY2(!r.isEmpty(), "missing response");
            order << qint64(r.value(QLatin1String("id")).toDouble());
            responses.insert(order.last(), r);
        }
        QCOMPARE(order, (QList<qint64>{snap, start, stop}));
        for (qint64 id : order)
            QVERIFY2(rpcIsSuccess(responses.value(id)), compact(responses.value(id)));
        QCOMPARE(rpcResult(responses.value(stop)).value(QLatin1String("session_id")),
                 rpcResult(responses.value(start)).value(QLatin1String("session_id")));
    }

    void everyApiRequestWasAccepted()
    {
        if (StationProcess::usingRealMediaMtx())
            QSKIP("the request log is written by the stand-in only");
        const QList<QJsonObject> requests = m_station->mediaMtxRequests();
        QVERIFY(requests.size() > 10);
        QStringList bad;
        bool patchedRecord = false;
        for (const QJsonObject &r : requests) {
            if (r.value(QLatin1String("status")).toInt() >= 400)
                bad << QString::fromUtf8(compact(r));
            patchedRecord = patchedRecord || r.value(QLatin1String("body")).toObject().contains(QLatin1String("record"));
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
        QVERIFY(patchedRecord);
    }

    void storageFull()
    {
        struct statvfs vfs {};
        QVERIFY(::statvfs(qPrintable(QDir::tempPath()), &vfs) == 0);
        QVERIFY2(vfs.f_blocks > vfs.f_bfree + vfs.f_blocks / 100, "this test needs a disk more than 1 % used");
        StationProcess station({QStringLiteral("--set"), QStringLiteral("cameras.demo=2"),
                                QStringLiteral("--set"), QStringLiteral("storage.block_threshold_percent=1"),
                                QStringLiteral("--set"), QStringLiteral("storage.warn_threshold_percent=1")});
        station.useMediaMtx();
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        QVERIFY(waitFor([&] { return httpGet(station.healthPort(), "/health/ready").status == 200; }, 10000));
        for (const QString &method : {QStringLiteral("take_snapshot"), QStringLiteral("start_recording")}) {
            const QJsonObject r = c.call(method, dev(QStringLiteral("camera0")), 15000);
            QVERIFY2(rpcCode(r) == -32050, qPrintable(method + QLatin1Char(' ') + QString::fromUtf8(compact(r))));
            QVERIFY2(rpcDataString(r, "dependency") == QLatin1String("storage"), qPrintable(method + QLatin1Char(' ') + QString::fromUtf8(compact(r))));
        }
        const QJsonObject info = rpcResult(c.call(QStringLiteral("get_storage_info")));
        QCOMPARE(info.value(QLatin1String("low_space_warning")).toBool(), true);
        QCOMPARE(info.value(QLatin1String("block_threshold_percent")).toInt(), 1);
        QVERIFY(QDir(station.snapshotsDir()).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_media.moc"
