// Supervision of MediaMTX by the real binary (API.md §9.1, §9.2, §14,
// INTEGRATION.md): the station runs the MediaMTX stand-in (or a real MediaMTX
// from $STATION_TEST_MEDIAMTX) as its child, and the tests crash it, hang its
// API and shut the station down, watching health, status and the processes.
#include "HttpClient.h"
#include "RpcAssert.h"
#include "StationProcess.h"
#include "WsClient.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <csignal>

using namespace station::test;

namespace {

QJsonObject component(const QJsonObject &detailed, const QString &name)
{
    for (const QJsonValue &v : detailed.value(QLatin1String("components")).toArray()) {
        if (v.toObject().value(QLatin1String("name")).toString() == name)
            return v.toObject();
    }
    return {};
}

// A copy of the station's generated config, loaded by a separate MediaMTX
// process on other ports (MTX_* overrides); returns its exit code after a
// SIGTERM once its API listens, or its own exit code when it quits first.
int loadConfigSeparately(const QString &yml, QString *output)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const auto addr = [](bool loopback) {
        return (loopback ? QStringLiteral("127.0.0.1:") : QStringLiteral(":")) + QString::number(StationProcess::freePort());
    };
    env.insert(QStringLiteral("MTX_APIADDRESS"), addr(true));
    env.insert(QStringLiteral("MTX_RTSPADDRESS"), addr(true));
    env.insert(QStringLiteral("MTX_METRICSADDRESS"), addr(true));
    env.insert(QStringLiteral("MTX_PLAYBACKADDRESS"), addr(true));
    env.insert(QStringLiteral("MTX_HLSADDRESS"), addr(true));
    env.insert(QStringLiteral("MTX_WEBRTCADDRESS"), addr(true));
    env.insert(QStringLiteral("MTX_WEBRTCLOCALUDPADDRESS"), addr(true));
    env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
    env.remove(QStringLiteral("STANDIN_REQUEST_LOG"));
    p.setProcessEnvironment(env);
    p.start(StationProcess::mediaMtxBinary(), {yml});
    if (!p.waitForStarted(5000))
        return -1;
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (p.state() == QProcess::Running && t.elapsed() < 10000) {
        p.waitForReadyRead(100);
        out += p.readAll();
        if (out.contains("[API] listener opened") || out.contains("[API] started")) {
            ::kill(pid_t(p.processId()), SIGTERM);
            break;
        }
    }
    if (!p.waitForFinished(10000)) {
        p.kill();
        p.waitForFinished();
    }
    out += p.readAll();
    *output = QString::fromUtf8(out);
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}


} // namespace

class TestMediaMtx : public QObject
{
    Q_OBJECT
    std::unique_ptr<StationProcess> m_station;
    std::unique_ptr<WsClient> m_admin;
    qint64 m_readyMs = -1;

    QJsonObject health(const QByteArray &path, int *status = nullptr)
    {
        const HttpResponse r = httpGet(m_station->healthPort(), path);
        if (status)
            *status = r.status;
        return r.json();
    }

    bool ready() { int s = 0; health("/health/ready", &s); return s == 200; }

    int restarts()
    {
        return component(health("/health/detailed"), QStringLiteral("mediamtx")).value(QLatin1String("details")).toObject()
            .value(QLatin1String("restarts")).toInt(-1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        StationProcess::announceMediaServer();
        m_station = std::make_unique<StationProcess>(QStringList{
            QStringLiteral("--set"), QStringLiteral("cameras.demo=2"),
            QStringLiteral("--set"), QStringLiteral("mediamtx.health_check_interval_s=1"),
            QStringLiteral("--set"), QStringLiteral("mediamtx.failure_threshold=2"),
            QStringLiteral("--set"), QStringLiteral("mediamtx.close_after_s=2")});
        m_station->useMediaMtx();
        QElapsedTimer t;
        t.start();
        QVERIFY2(m_station->start(), qPrintable(m_station->log()));
        QVERIFY2(waitFor([&] { return ready(); }, 5000), compact(health("/health/ready")) + "\n" + m_station->log().toUtf8());
        m_readyMs = t.elapsed();
        qInfo("station with MediaMTX (%s) ready after %lld ms", qPrintable(StationProcess::mediaMtxBinary()), m_readyMs);
        m_admin = std::make_unique<WsClient>();
        QVERIFY(m_admin->open(m_station->wsUrl()));
        QVERIFY(m_admin->authenticate(StationProcess::token(QStringLiteral("admin"))));
    }

    void readyAndRunning()
    {
        QVERIFY(m_readyMs >= 0 && m_readyMs < 5000);
        const QJsonObject st = m_admin->call(QStringLiteral("get_status"));
        QVERIFY2(rpcIsSuccess(st), compact(st));
        const QJsonObject components = rpcResult(st).value(QLatin1String("components")).toObject();
        QCOMPARE(components.value(QLatin1String("mediamtx")).toString(), QStringLiteral("RUNNING"));
        const QJsonObject sys = m_admin->call(QStringLiteral("get_system_status"));
        QCOMPARE(rpcResult(sys).value(QLatin1String("status")).toString(), QStringLiteral("ready"));
        QCOMPARE(rpcResult(sys).value(QLatin1String("available_cameras")).toArray(),
                 (QJsonArray{QStringLiteral("camera0"), QStringLiteral("camera1")}));
        const QJsonObject mtx = component(health("/health/detailed"), QStringLiteral("mediamtx"));
        QCOMPARE(mtx.value(QLatin1String("status")).toString(), QStringLiteral("healthy"));
        QCOMPARE(mtx.value(QLatin1String("details")).toObject().value(QLatin1String("restarts")).toInt(-1), 0);
        QVERIFY(!mtx.value(QLatin1String("details")).toObject().value(QLatin1String("version")).toString().isEmpty());
        QVERIFY(m_station->mediaMtxPid() > 0);
    }

    void generatedConfig()
    {
        const QString yml = m_station->mediaMtxConfigPath();
        QVERIFY(QFile::exists(yml));
        const QJsonObject doc = StationProcess::yamlFileAsJson(yml).toObject();
        QVERIFY2(!doc.isEmpty(), qPrintable(yml));
        // The API listens on loopback only, on the port the station was given.
        QCOMPARE(doc.value(QLatin1String("apiAddress")).toString(),
                 QStringLiteral("127.0.0.1:%1").arg(m_station->mediaMtxApiPort()));
        QCOMPARE(doc.value(QLatin1String("api")).toBool(), true);
        // No anonymous ("any") user may use the API (INTEGRATION.md: the default config grants it).
        const QJsonArray users = doc.value(QLatin1String("authInternalUsers")).toArray();
        QVERIFY(!users.isEmpty());
        bool apiUserFound = false;
        for (const QJsonValue &u : users) {
            const QJsonObject user = u.toObject();
            bool grantsApi = false;
            for (const QJsonValue &perm : user.value(QLatin1String("permissions")).toArray())
                grantsApi = grantsApi || perm.toObject().value(QLatin1String("action")).toString() == QLatin1String("api");
            if (!grantsApi)
                continue;
            apiUserFound = true;
            QVERIFY2(user.value(QLatin1String("user")).toString() != QLatin1String("any"), compact(user));
            QVERIFY2(!user.value(QLatin1String("pass")).toString().isEmpty(), compact(user));
        }
        QVERIFY(apiUserFound);
        // The file loads in a separate MediaMTX (which exits 1 on unknown keys) ...
        QTemporaryDir dir;
        QString out;
        const QString copy = dir.filePath(QStringLiteral("copy.yml"));
        QVERIFY(QFile::copy(yml, copy));
        QCOMPARE(loadConfigSeparately(copy, &out), 0);
        QVERIFY2(out.contains(QLatin1String("[API]")), qPrintable(out));
        // ... and that check is real: one unknown key makes it refuse the file.
        QFile f(copy);
        QVERIFY(f.open(QIODevice::Append));
        f.write("notAMediaMtxKey: true\n");
        f.close();
        QCOMPARE(loadConfigSeparately(copy, &out), 1);
        QVERIFY2(out.contains(QLatin1String("notAMediaMtxKey")), qPrintable(out));
    }

    void crashIsDetectedAndRestarted()
    {
        // A publisher must be running so there is an ffmpeg to orphan.
        const QJsonObject s = m_admin->call(QStringLiteral("start_streaming"), {{QStringLiteral("device"), QStringLiteral("camera0")}}, 15000);
        QVERIFY2(rpcIsSuccess(s), compact(s));
        QVERIFY(waitFor([&] { return !m_station->descendantsMatching("testsrc2").isEmpty(); }, 5000));
        const QList<qint64> publishersBefore = m_station->descendantsMatching("testsrc2");
        const qint64 mtx = m_station->mediaMtxPid();
        QVERIFY(mtx > 0);
        const int restartsBefore = restarts();
        QVERIFY(restartsBefore >= 0);

        QElapsedTimer t;
        t.start();
        QCOMPARE(::kill(pid_t(mtx), SIGKILL), 0);
        QJsonObject notReady;
        QVERIFY2(waitFor([&] {
                     int st = 0;
                     notReady = health("/health/ready", &st);
                     return st == 503;
                 }, 5000, 10),
                 "readiness never dropped after MediaMTX was killed");
        const qint64 detectedMs = t.elapsed();
        QCOMPARE(notReady.value(QLatin1String("reason")).toString(), QStringLiteral("mediamtx_unavailable"));
        QVERIFY(notReady.value(QLatin1String("reasons")).toArray().contains(QStringLiteral("mediamtx_unavailable")));
        QVERIFY2(waitFor([&] { return ready(); }, 10000, 20), m_station->log().right(3000).toUtf8());
        const qint64 backMs = t.elapsed();
        qInfo("MediaMTX SIGKILL: not ready after %lld ms, ready again after %lld ms", detectedMs, backMs);

        QVERIFY(m_station->mediaMtxPid() > 0);
        QVERIFY(m_station->mediaMtxPid() != mtx);
        QCOMPARE(restarts(), restartsBefore + 1);
        const QJsonObject st = m_admin->call(QStringLiteral("get_status"));
        QCOMPARE(rpcResult(st).value(QLatin1String("components")).toObject().value(QLatin1String("mediamtx")).toString(),
                 QStringLiteral("RUNNING"));
        // The killed instance's publishers were swept (the new instance starts its own).
        QVERIFY2(waitFor([&] {
                     for (qint64 p : publishersBefore) {
                         if (StationProcess::processAlive(p))
                             return false;
                     }
                     return true;
                 }, 3000),
                 "an ffmpeg publisher of the killed MediaMTX is still running");
        // The streaming session brings the publisher back on the new instance.
        QVERIFY(waitFor([&] {
            const QList<qint64> now = m_station->descendantsMatching("testsrc2");
            return !now.isEmpty() && now != publishersBefore;
        }, 10000));
    }

    void hungApiIsDetectedAndRestarted()
    {
        const qint64 mtx = m_station->mediaMtxPid();
        QVERIFY(mtx > 0);
        QVERIFY(waitFor([&] { return ready(); }, 5000));
        const int restartsBefore = restarts();
        // The stand-in stops answering its API on SIGUSR1; a real MediaMTX is frozen instead.
        const int sig = StationProcess::usingRealMediaMtx() ? SIGSTOP : SIGUSR1;
        QElapsedTimer t;
        t.start();
        QCOMPARE(::kill(pid_t(mtx), sig), 0);
        QJsonObject notReady;
        QVERIFY2(waitFor([&] {
                     int st = 0;
                     notReady = health("/health/ready", &st);
                     return st == 503;
                 }, 8000, 20),
                 "a hung MediaMTX API was not detected within 8 s");
        const qint64 detectedMs = t.elapsed();
        QCOMPARE(notReady.value(QLatin1String("reason")).toString(), QStringLiteral("mediamtx_unavailable"));
        QVERIFY2(waitFor([&] { return m_station->mediaMtxPid() != mtx && m_station->mediaMtxPid() > 0; }, 8000),
                 "the hung MediaMTX was not replaced");
        QVERIFY2(waitFor([&] { return ready(); }, 8000), m_station->log().right(3000).toUtf8());
        const qint64 backMs = t.elapsed();
        qInfo("MediaMTX hung API (interval 1 s, threshold 2): not ready after %lld ms, ready again after %lld ms", detectedMs, backMs);
        // Worst case: one interval + threshold × 2 s timeout (+ slack).
        QVERIFY2(detectedMs <= 6500, QByteArray::number(detectedMs));
        QVERIFY(!StationProcess::processAlive(mtx));
        QCOMPARE(restarts(), restartsBefore + 1);
    }

    void sigtermStopsEverything()
    {
        QVERIFY(waitFor([&] { return ready(); }, 10000));
        // Make sure there are children to clean up: a publisher under a streaming session.
        QVERIFY(waitFor([&] { return !m_station->descendantsMatching("testsrc2").isEmpty(); }, 10000));
        const QList<qint64> family = StationProcess::descendantsOf(m_station->pid());
        QVERIFY(!family.isEmpty());
        const qint64 mtx = m_station->mediaMtxPid();
        QVERIFY(family.contains(mtx));
        QElapsedTimer t;
        t.start();
        m_station->terminate();
        QVERIFY2(m_station->waitForExit(15000), "the station did not exit within 15 s of SIGTERM");
        qInfo("SIGTERM → exit in %lld ms", t.elapsed());
        QCOMPARE(m_station->exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_station->exitCode(), 0);
        for (qint64 p : family)
            QVERIFY2(!StationProcess::processAlive(p), StationProcess::cmdline(p));
        // Nothing else of this station: MediaMTX names its config inside the data folder.
        QVERIFY(StationProcess::processesMatching(m_station->dataDir().toUtf8()).isEmpty());
        QVERIFY2(m_station->log().contains(QLatin1String("stopped")), qPrintable(m_station->log().right(2000)));
    }

    void everyApiRequestWasAccepted()
    {
        if (StationProcess::usingRealMediaMtx())
            QSKIP("the request log is written by the stand-in only");
        const QList<QJsonObject> requests = m_station->mediaMtxRequests();
        QVERIFY2(requests.size() > 10, QByteArray::number(requests.size()));
        QStringList bad;
        for (const QJsonObject &r : requests) {
            const int status = r.value(QLatin1String("status")).toInt();
            if (status >= 400)
                bad << QString::fromUtf8(compact(r));
        }
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
        // The station drove the API: path configuration went through it.
        bool replaced = false;
        for (const QJsonObject &r : requests)
            replaced = replaced || r.value(QLatin1String("path")).toString().startsWith(QLatin1String("/v3/config/paths/"));
        QVERIFY(replaced);
    }

    // Two stations with different ports run side by side: every MediaMTX
    // listener comes from the station's config (RTSP TCP-only by default, so
    // no UDP 8000/8001 from MediaMTX's defaults), and each serves its cameras.
    void twoStationsSideBySide()
    {
        // (m_station was stopped by sigtermStopsEverything: two fresh ones.)
        StationProcess first({QStringLiteral("--set"), QStringLiteral("cameras.demo=1")});
        first.useMediaMtx();
        QVERIFY2(first.start(), qPrintable(first.log()));
        StationProcess second({QStringLiteral("--set"), QStringLiteral("cameras.demo=1")});
        second.useMediaMtx();
        QVERIFY2(second.start(), qPrintable(second.log()));
        for (StationProcess *s : {&first, &second})
            QVERIFY2(waitFor([&] { return httpGet(s->healthPort(), "/health/ready").status == 200; }, 15000), qPrintable(s->log()));
        const QJsonObject a = StationProcess::yamlFileAsJson(first.mediaMtxConfigPath()).toObject();
        const QJsonObject b = StationProcess::yamlFileAsJson(second.mediaMtxConfigPath()).toObject();
        for (const char *key : {"apiAddress", "metricsAddress", "playbackAddress", "rtspAddress", "hlsAddress", "webrtcAddress", "webrtcLocalUDPAddress"}) {
            QVERIFY2(!a.value(QLatin1String(key)).toString().isEmpty(), key);
            QVERIFY2(a.value(QLatin1String(key)).toString() != b.value(QLatin1String(key)).toString(), key);
        }
        QCOMPARE(b.value(QLatin1String("rtspTransports")).toArray(), QJsonArray{QStringLiteral("tcp")});
        // The second one really serves video on its own RTSP port.
        WsClient c;
        QVERIFY(c.open(second.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const QJsonObject snap = c.call(QStringLiteral("take_snapshot"), {{QStringLiteral("device"), QStringLiteral("camera0")}}, 30000);
        QVERIFY2(rpcIsSuccess(snap), compact(snap) + "\n" + second.log().right(3000).toUtf8());
        QCOMPARE(httpGet(first.healthPort(), "/health/ready").status, 200);
    }

    // A port another program holds: MediaMTX would exit at start; the station
    // does not launch it and names the config key and the port.
    void busyPortIsNamed()
    {
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
        const quint16 port = holder.serverPort();
        // Given after useMediaMtx's ports, this --set wins.
        StationProcess station({QStringLiteral("--set"), QStringLiteral("cameras.demo=1"),
                                QStringLiteral("--set"), QStringLiteral("mediamtx.hls_port=%1").arg(port)});
        station.useMediaMtx();
        QVERIFY2(station.start(), qPrintable(station.log()));
        const QString expected = QStringLiteral("mediamtx.hls_port: port %1/tcp cannot be opened").arg(port);
        QVERIFY2(waitFor([&] {
            return component(httpGet(station.healthPort(), "/health/detailed").json(), QStringLiteral("mediamtx"))
                .value(QLatin1String("message")).toString().contains(expected);
        }, 10000), qPrintable(station.log().right(3000)));
        QVERIFY(station.mediaMtxPid() <= 0);  // never launched
        QVERIFY(station.log().contains(expected));
        // Freed, it starts on the next attempt.
        holder.close();
        QVERIFY2(waitFor([&] { return httpGet(station.healthPort(), "/health/ready").status == 200; }, 20000), qPrintable(station.log().right(3000)));
    }

    // A publisher that keeps failing puts its camera in ERROR with the reason;
    // when it delivers again the error is cleared. MediaMTX logs each exit as
    // "[path camera0] runOnDemand command exited: ..." (internal/hooks/on_demand.go).
    void failingPublisherSetsErrorUntilItRecovers()
    {
        const QString realFfmpeg = QStandardPaths::findExecutable(QStringLiteral("ffmpeg"));
        QVERIFY(!realFfmpeg.isEmpty());
        QTemporaryDir bin;
        const QString fake = bin.filePath(QStringLiteral("ffmpeg"));
        QFile script(fake);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\necho 'fake ffmpeg: no camera' >&2\nexit 1\n");
        script.close();
        QVERIFY(script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        StationProcess station({QStringLiteral("--set"), QStringLiteral("cameras.demo=1")});
        station.useMediaMtx();
        station.setEnv(QStringLiteral("PATH"), bin.path() + QLatin1Char(':') + qEnvironmentVariable("PATH"));
        QVERIFY2(station.start(), qPrintable(station.log()));
        QVERIFY2(waitFor([&] { return httpGet(station.healthPort(), "/health/ready").status == 200; }, 15000), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const auto status = [&] {
            const QJsonObject list = rpcResult(c.call(QStringLiteral("get_camera_list")));
            for (const QJsonValue &v : list.value(QLatin1String("cameras")).toArray()) {
                if (v.toObject().value(QLatin1String("device")).toString() == QLatin1String("camera0"))
                    return v.toObject().value(QLatin1String("status")).toString();
            }
            return QString();
        };
        QCOMPARE(status(), QStringLiteral("CONNECTED"));
        // A reader asks for the stream (with the read token the API hands out): MediaMTX
        // starts the publisher, which fails, and restarts it every 5 s while the reader waits.
        const QString url = rpcResult(c.call(QStringLiteral("get_stream_url"), {{QStringLiteral("device"), QStringLiteral("camera0")}}))
                                .value(QLatin1String("stream_url")).toString();
        const auto demand = [&](QTcpSocket &rtsp) {
            rtsp.connectToHost(QHostAddress::LocalHost, station.mediaMtxRtspPort());
            QVERIFY(rtsp.waitForConnected(3000));
            rtsp.write(QStringLiteral("DESCRIBE %1 RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n").arg(url).toUtf8());
            QVERIFY(rtsp.waitForBytesWritten(3000));
        };
        QElapsedTimer t;
        t.start();
        {
            // A waiting reader gives up after runOnDemandStartTimeout (15 s); like a real
            // one, ask again then, so a slow (loaded) machine still sees three exits.
            std::unique_ptr<QTcpSocket> rtsp;
            QElapsedTimer since;
            QVERIFY2(waitFor([&] {
                         if (!rtsp || rtsp->state() != QAbstractSocket::ConnectedState || since.elapsed() > 16000) {
                             rtsp = std::make_unique<QTcpSocket>();
                             demand(*rtsp);
                             since.start();
                         }
                         return status() == QLatin1String("ERROR");
                     }, 45000, 200),
                     qPrintable(station.log().right(4000)));
        }
        qInfo("failing publisher: camera in ERROR after %lld ms", t.elapsed());
        QVERIFY2(station.log().contains(QLatin1String("camera0 in error: the camera's publisher (ffmpeg) exited 3 times within 60 s")),
                 qPrintable(station.log().right(4000)));
        // The real ffmpeg comes back: the next reader gets video and the error clears.
        QVERIFY(QFile::remove(fake));
        QVERIFY(QFile::link(realFfmpeg, fake));
        QTcpSocket again;
        demand(again);
        t.restart();
        QVERIFY2(waitFor([&] { return status() == QLatin1String("CONNECTED"); }, 30000), qPrintable(station.log().right(4000)));
        qInfo("publisher back: camera CONNECTED after %lld ms", t.elapsed());
        QVERIFY(station.log().contains(QLatin1String("camera0 recovered")));
    }

    void notInstalled()
    {
        StationProcess station({QStringLiteral("--set"), QStringLiteral("cameras.demo=2"),
                                QStringLiteral("--set"), QStringLiteral("mediamtx.binary=/nonexistent")});
        QVERIFY2(station.start(), qPrintable(station.log()));
        WsClient c;
        QVERIFY(c.open(station.wsUrl()));
        QVERIFY(c.authenticate(StationProcess::token(QStringLiteral("admin"))));
        const QJsonObject st = c.call(QStringLiteral("get_status"));
        QCOMPARE(rpcResult(st).value(QLatin1String("components")).toObject().value(QLatin1String("mediamtx")).toString(),
                 QStringLiteral("STOPPED"));
        const HttpResponse d = httpGet(station.healthPort(), "/health/detailed");
        const QJsonObject mtx = component(d.json(), QStringLiteral("mediamtx"));
        QVERIFY2(mtx.value(QLatin1String("message")).toString().contains(QLatin1String("not installed")), compact(mtx));
        QVERIFY2(!mtx.value(QLatin1String("message")).toString().contains(QLatin1String("/nonexistent")), compact(mtx));
        // The demo camera exists; what fails is the dependency.
        const QJsonObject cams = c.call(QStringLiteral("get_camera_list"));
        QCOMPARE(rpcResult(cams).value(QLatin1String("total")).toInt(), 2);
        const QJsonObject cam0{{QStringLiteral("device"), QStringLiteral("camera0")}};
        for (const QString &method : {QStringLiteral("take_snapshot"), QStringLiteral("start_recording"), QStringLiteral("get_streams")}) {
            const QJsonObject r = c.call(method, method == QLatin1String("get_streams") ? QJsonObject() : cam0, 15000);
            QVERIFY2(rpcCode(r) == -32050, qPrintable(method + QLatin1Char(' ') + QString::fromUtf8(compact(r))));
            QCOMPARE(rpcError(r).value(QLatin1String("message")).toString(), QStringLiteral("Dependency failed"));
            QVERIFY2(rpcDataString(r, "dependency") == QLatin1String("mediamtx"), qPrintable(method + QLatin1Char(' ') + QString::fromUtf8(compact(r))));
        }
        // It did not start anything.
        QVERIFY(station.descendantsMatching("ffmpeg").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMediaMtx)
#include "tst_mediamtx.moc"
