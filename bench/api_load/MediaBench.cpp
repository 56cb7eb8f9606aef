// station_bench --mode media and --mode paths: the station with a MediaMTX
// (the stand-in by default) and test-pattern cameras.
//
// media: start-to-ready (WebSocket ping and /health/ready 200), snapshot
//        latency warm and cold, recording start/stop latency idle and warm.
// paths: N test cameras (640x360 at 15 fps by default), start_streaming on all
//        at once; time until every path is ready, achieved frame rates,
//        station RSS/CPU and machine load.

#include "Modes.h"
#include "Station.h"
#include "Stats.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>

namespace bench {

namespace {

QStringList cameraIds(Admin &a)
{
    QStringList ids;
    const QJsonObject r = a.call(QStringLiteral("get_camera_list"), {});
    for (const QJsonValue &c : r.value(QLatin1String("result")).toObject().value(QLatin1String("cameras")).toArray())
        ids << c.toObject().value(QLatin1String("device")).toString();
    return ids;
}

QJsonObject dev(const QString &id)
{
    return {{QStringLiteral("device"), id}};
}

// Until the camera's publisher (and so the station's reader) has stopped:
// get_stream_status says INACTIVE. Returns the ms it took, or -1.
double waitCold(Admin &a, const QString &id, int timeoutMs = 20000)
{
    const qint64 t0 = monoNs();
    while (monoNs() - t0 < qint64(timeoutMs) * 1'000'000) {
        const QJsonObject r = a.call(QStringLiteral("get_stream_status"), dev(id)).value(QLatin1String("result")).toObject();
        if (r.value(QLatin1String("status")).toString() == QLatin1String("INACTIVE")
            && !r.value(QLatin1String("ffmpeg_process")).toObject().value(QLatin1String("running")).toBool())
            return double(monoNs() - t0) / 1e6;
        sleepMs(200);
    }
    return -1;
}

std::vector<qint64> toNs(const QList<double> &msList)
{
    std::vector<qint64> v;
    for (double m : msList)
        v.push_back(qint64(m * 1e6));
    return v;
}

Row latencyRow(const QString &metric, const QList<double> &samples, int errors, double targetMs, const QString &v1, const QString &extra = {})
{
    const Summary s = summarize(toNs(samples));
    const bool met = s.count > 0 && errors == 0 && s.p99Ms <= targetMs;
    Row r{metric, QString::number(samples.size()), s.count ? ms(s.p50Ms) : QStringLiteral("-"), s.count ? ms(s.p99Ms) : QStringLiteral("-"),
          s.count ? ms(s.maxMs) : QStringLiteral("-"),
          (errors ? QStringLiteral("%1 errors").arg(errors) : QStringLiteral("0 errors")) + (extra.isEmpty() ? QString() : QStringLiteral("; ") + extra),
          targetMs > 0 ? QStringLiteral("p99 <= %1 ms").arg(targetMs) : QStringLiteral("- (no target)"), targetMs > 0 ? yesNo(met) : QStringLiteral("-")};
    r.v1 = v1;
    return r;
}

QString leftoverText(const QList<ProcInfo> &left)
{
    QStringList s;
    for (const ProcInfo &p : left)
        s << QStringLiteral("%1 %2").arg(p.pid).arg(p.cmdline.left(80));
    return s.join(QStringLiteral("; "));
}

} // namespace

int runMedia(const QCommandLineParser &parser)
{
    const QString dataDir = parser.value(QStringLiteral("data-dir"));
    const QString results = parser.value(QStringLiteral("results"));
    const int samples = std::max(1, parser.value(QStringLiteral("samples")).toInt());
    const int starts = std::max(1, parser.value(QStringLiteral("starts")).toInt());
    QList<Row> rows;
    QStringList notes;

    // Start-to-ready: several starts of the same configuration.
    QList<double> pingMs, healthMs;
    Station st(parser.value(QStringLiteral("server")), dataDir, parser.value(QStringLiteral("mediamtx")));
    if (!st.portsOk()) {
        std::fprintf(stderr, "station_bench: no free ports\n");
        return 2;
    }
    st.set(QStringLiteral("cameras.demo=2"));
    st.set(QStringLiteral("mediamtx.close_after_s=2"));
    say(QStringLiteral("media: %1").arg(st.describe()));
    QString error;
    for (int i = 0; i < starts; ++i) {
        if (!st.start(&error)) {
            std::fprintf(stderr, "station_bench: cannot start the station: %s\n", qPrintable(error));
            return 2;
        }
        double p = -1, h = -1;
        st.waitReady(&p, &h, 20000);
        say(QStringLiteral("start %1: ping answered after %2 ms, /health/ready 200 after %3 ms").arg(i + 1).arg(p, 0, 'f', 1).arg(h, 0, 'f', 1));
        if (p >= 0)
            pingMs << p;
        if (h >= 0)
            healthMs << h;
        if (p < 0 || h < 0)
            notes << QStringLiteral("start %1: not ready within 20 s (ping %2, health %3); log tail: %4").arg(i + 1).arg(p).arg(h).arg(st.process()->logTail(10));
        if (i + 1 < starts) {
            const QList<ProcInfo> left = st.stop();
            if (!left.isEmpty())
                notes << QStringLiteral("after stop %1 still running: %2").arg(i + 1).arg(leftoverText(left));
        }
    }
    {
        Row r = latencyRow(QStringLiteral("start-to-ready: WS ping (stand-in, 2 demo cams)"), pingMs, starts - int(pingMs.size()), 1000, QStringLiteral("-"));
        r.n = QStringLiteral("%1 starts").arg(starts);
        rows << r;
        Row h = latencyRow(QStringLiteral("start-to-ready: /health/ready 200 (stand-in)"), healthMs, starts - int(healthMs.size()), 0, QStringLiteral("-"));
        h.n = QStringLiteral("%1 starts").arg(starts);
        rows << h;
    }

    Admin a;
    if (healthMs.size() != starts || !a.open(st, &error)) {
        notes << QStringLiteral("station not usable: %1").arg(error);
        appendResults(results, QStringLiteral("media"), rows);
        st.stop();
        return 0;
    }
    const QStringList ids = cameraIds(a);
    say(QStringLiteral("cameras: %1").arg(ids.join(QLatin1Char(' '))));
    if (ids.size() < 2) {
        notes << QStringLiteral("expected 2 demo cameras, got %1").arg(ids.size());
        appendResults(results, QStringLiteral("media"), rows);
        st.stop();
        return 0;
    }

    CpuWindow cpu;
    cpu.start(st.pid());

    // Snapshot, cold: the camera's reader and publisher have stopped.
    QList<double> cold, warm;
    int coldErr = 0, warmErr = 0;
    QList<double> coolMs;
    for (int i = 0; i < samples; ++i) {
        const QString id = ids[i % 2];
        const double c = waitCold(a, id);
        if (c < 0) {
            notes << QStringLiteral("snapshot cold %1: %2 did not go INACTIVE within 20 s").arg(i).arg(id);
            ++coldErr;
            continue;
        }
        coolMs << c;
        sleepMs(500);
        double lat = 0;
        const QJsonObject r = a.call(QStringLiteral("take_snapshot"), dev(id), &lat);
        if (r.contains(QLatin1String("result")))
            cold << lat;
        else {
            ++coldErr;
            notes << QStringLiteral("snapshot cold %1: %2").arg(id, errorText(r));
        }
        say(QStringLiteral("snapshot cold %1 on %2: %3 ms").arg(i).arg(id).arg(lat, 0, 'f', 1));
    }
    // Snapshot, warm: the reader is running (a snapshot just before).
    {
        const QString id = ids[0];
        a.call(QStringLiteral("take_snapshot"), dev(id));
        for (int i = 0; i < samples * 2; ++i) {
            sleepMs(250);
            double lat = 0;
            const QJsonObject r = a.call(QStringLiteral("take_snapshot"), dev(id), &lat);
            if (r.contains(QLatin1String("result")))
                warm << lat;
            else {
                ++warmErr;
                notes << QStringLiteral("snapshot warm: %1").arg(errorText(r));
            }
        }
    }
    rows << latencyRow(QStringLiteral("take_snapshot warm (reader running)"), warm, warmErr, 300, QStringLiteral("< 100 ms (control call)"));
    rows << latencyRow(QStringLiteral("take_snapshot cold (publisher stopped)"), cold, coldErr, 2500, QStringLiteral("< 100 ms (control call)"));
    say(QStringLiteral("snapshot warm p50 %1, cold p50 %2").arg(ms(summarize(toNs(warm)).p50Ms), ms(summarize(toNs(cold)).p50Ms)));

    // Recording start: idle (publisher stopped) and warm (streaming session open).
    QList<double> recIdle, recWarm, stopLat;
    int recIdleErr = 0, recWarmErr = 0, stopErr = 0;
    const int recSamples = std::max(2, samples / 2 + 1);
    for (int i = 0; i < recSamples; ++i) {
        const QString id = ids[i % 2];
        if (waitCold(a, id) < 0) {
            ++recIdleErr;
            continue;
        }
        sleepMs(500);
        double lat = 0;
        QJsonObject r = a.call(QStringLiteral("start_recording"), dev(id), &lat);
        if (!r.contains(QLatin1String("result"))) {
            ++recIdleErr;
            notes << QStringLiteral("start_recording idle on %1: %2").arg(id, errorText(r));
            continue;
        }
        recIdle << lat;
        sleepMs(1500);
        r = a.call(QStringLiteral("stop_recording"), dev(id), &lat);
        r.contains(QLatin1String("result")) ? void(stopLat << lat) : void(++stopErr);
    }
    for (int i = 0; i < recSamples; ++i) {
        const QString id = ids[i % 2];
        QJsonObject r = a.call(QStringLiteral("start_streaming"), dev(id));
        if (!r.contains(QLatin1String("result"))) {
            ++recWarmErr;
            notes << QStringLiteral("start_streaming on %1: %2").arg(id, errorText(r));
            continue;
        }
        sleepMs(1000);
        double lat = 0;
        r = a.call(QStringLiteral("start_recording"), dev(id), &lat);
        if (!r.contains(QLatin1String("result"))) {
            ++recWarmErr;
            notes << QStringLiteral("start_recording warm on %1: %2").arg(id, errorText(r));
        } else {
            recWarm << lat;
            sleepMs(1500);
            r = a.call(QStringLiteral("stop_recording"), dev(id), &lat);
            r.contains(QLatin1String("result")) ? void(stopLat << lat) : void(++stopErr);
        }
        a.call(QStringLiteral("stop_streaming"), dev(id));
    }
    rows << latencyRow(QStringLiteral("start_recording idle (publisher stopped)"), recIdle, recIdleErr, 0, QStringLiteral("< 100 ms (control call)"),
                       QStringLiteral("returns when the 1st file exists"));
    rows << latencyRow(QStringLiteral("start_recording warm (streaming)"), recWarm, recWarmErr, 0, QStringLiteral("< 100 ms (control call)"),
                       QStringLiteral("returns when the 1st file exists"));
    rows << latencyRow(QStringLiteral("stop_recording (files finalised)"), stopLat, stopErr, 0, QStringLiteral("< 100 ms (control call)"));
    notes << QStringLiteral("media phase CPU: %1; wait for INACTIVE before a cold sample p50 %2")
                 .arg(cpu.report(), ms(summarize(toNs(coolMs)).p50Ms));
    say(notes.last());

    a.close();
    const QList<ProcInfo> left = st.stop();
    if (!left.isEmpty())
        notes << QStringLiteral("after the station stopped, still running: %1").arg(leftoverText(left));
    say(QString());
    say(QStringLiteral("== media (stand-in) =="));
    printTable(rows);
    for (const QString &n : std::as_const(notes))
        say(QStringLiteral("- ") + n);
    appendResults(results, QStringLiteral("media"), rows);
    for (const QString &n : std::as_const(notes))
        appendResults(results, QStringLiteral("note"), {Row{n, {}, {}, {}, {}, {}, {}, {}}});
    return 0;
}

int runPaths(const QCommandLineParser &parser)
{
    const QString dataDir = parser.value(QStringLiteral("data-dir"));
    const QString results = parser.value(QStringLiteral("results"));
    const int n = std::max(1, parser.value(QStringLiteral("paths")).toInt());
    const int fps = std::max(1, parser.value(QStringLiteral("path-fps")).toInt());
    const double observeS = std::max(5.0, parser.value(QStringLiteral("duration")).toDouble());
    QList<Row> rows;
    QStringList notes;

    Station st(parser.value(QStringLiteral("server")), dataDir, parser.value(QStringLiteral("mediamtx")));
    QJsonArray sources;
    for (int i = 0; i < n; ++i)
        sources.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("test")}, {QStringLiteral("name"), QStringLiteral("t%1").arg(i + 1)},
                                   {QStringLiteral("width"), 640}, {QStringLiteral("height"), 360}, {QStringLiteral("fps"), fps}});
    st.set(QStringLiteral("cameras.max=%1").arg(n + 8));
    st.set(QStringLiteral("cameras.sources=") + QString::fromUtf8(QJsonDocument(sources).toJson(QJsonDocument::Compact)));
    st.set(QStringLiteral("streaming.auto_close_after_s=0"));
    say(QStringLiteral("paths: %1").arg(st.describe().left(600)));
    QString error;
    if (!st.start(&error)) {
        std::fprintf(stderr, "station_bench: cannot start the station: %s\n", qPrintable(error));
        return 2;
    }
    double pingMs = -1, healthMs = -1;
    st.waitReady(&pingMs, &healthMs, 30000);
    Admin a;
    if (healthMs < 0 || !a.open(st, &error)) {
        notes << QStringLiteral("station not ready (ping %1 ms, health %2 ms): %3").arg(pingMs).arg(healthMs).arg(st.process()->logTail(10));
        rows << Row{QStringLiteral("%1 paths: all READY").arg(n), QString::number(n), {}, {}, {}, QStringLiteral("station not ready"), QStringLiteral("-"), QStringLiteral("NO")};
        appendResults(results, QStringLiteral("paths"), rows);
        st.stop();
        return 0;
    }
    const QStringList ids = cameraIds(a);
    say(QStringLiteral("%1 cameras listed; RSS before streaming %2").arg(ids.size()).arg(mb(st.process()->rssKb())));
    const qint64 rssBefore = st.process()->rssKb();

    // start_streaming on every camera at once (pipelined on one connection;
    // each answers when its path is ready, at most 10 s).
    CpuWindow cpuStart;
    cpuStart.start(st.pid());
    const qint64 t0 = monoNs();
    QHash<QString, double> answerMs;
    QHash<QString, QString> failures;
    {
        // Raw pipelining: send all, then collect.
        QList<std::pair<QString, qint64>> sent;
        QWebSocket ws;
        QStringList inbox;
        QObject::connect(&ws, &QWebSocket::textMessageReceived, [&](const QString &t) {
            const QJsonObject o = QJsonDocument::fromJson(t.toUtf8()).object();
            if (!o.contains(QLatin1String("id")))
                return;
            const qint64 id = o.value(QLatin1String("id")).toInteger();
            if (id >= 1000 && id < 1000 + ids.size()) {
                const QString cam = ids[id - 1000];
                answerMs[cam] = double(monoNs() - t0) / 1e6;
                if (!o.contains(QLatin1String("result")))
                    failures[cam] = errorText(o);
            }
        });
        bool up = false;
        QObject::connect(&ws, &QWebSocket::connected, [&] { up = true; });
        ws.open(st.url());
        waitUntil([&] { return up; }, 5000);
        ws.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), QStringLiteral("authenticate")},
                                                                        {QStringLiteral("params"), QJsonObject{{QStringLiteral("auth_token"), QString::fromLatin1(st.token())}}},
                                                                        {QStringLiteral("id"), 1}}).toJson(QJsonDocument::Compact)));
        sleepMs(200);
        for (int i = 0; i < ids.size(); ++i)
            ws.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), QStringLiteral("start_streaming")},
                                                                            {QStringLiteral("params"), dev(ids[i])}, {QStringLiteral("id"), 1000 + i}}).toJson(QJsonDocument::Compact)));
        waitUntil([&] { return answerMs.size() >= ids.size(); }, 60000, 10);
        ws.close();
    }
    // Then poll get_streams until every path is ready (or 60 s from the start).
    double allReadyMs = -1;
    int readyCount = 0;
    while (monoNs() - t0 < 60'000'000'000LL) {
        const QJsonArray streams = a.call(QStringLiteral("get_streams"), {}).value(QLatin1String("result")).toArray();
        readyCount = 0;
        for (const QJsonValue &v : streams)
            readyCount += v.toObject().value(QLatin1String("ready")).toBool() ? 1 : 0;
        if (readyCount >= ids.size()) {
            allReadyMs = double(monoNs() - t0) / 1e6;
            break;
        }
        sleepMs(250);
    }
    const QString startCpu = cpuStart.report();
    say(QStringLiteral("start_streaming: %1 answered, %2 failed; %3/%4 paths ready; all ready after %5 ms")
            .arg(answerMs.size()).arg(failures.size()).arg(readyCount).arg(ids.size()).arg(allReadyMs, 0, 'f', 0));
    QList<double> ans;
    for (const QString &id : ids)
        if (answerMs.contains(id) && !failures.contains(id))
            ans << answerMs.value(id);
    for (auto it = failures.cbegin(); it != failures.cend(); ++it)
        notes << QStringLiteral("start_streaming %1: %2").arg(it.key(), it.value());

    // Observe: bytes per path over the window (get_streams) and frames actually
    // received by one RTSP reader on a few paths (ffprobe counts packets, no decoding).
    QHash<QString, qint64> bytes0;
    for (const QJsonValue &v : a.call(QStringLiteral("get_streams"), {}).value(QLatin1String("result")).toArray())
        bytes0[v.toObject().value(QLatin1String("name")).toString()] = v.toObject().value(QLatin1String("bytes_sent")).toInteger();
    const int probes = std::min<int>(int(ids.size()), parser.value(QStringLiteral("fps-probes")).toInt());
    QList<QProcess *> probers;
    for (int i = 0; i < probes; ++i) {
        const int idx = int(qint64(i) * ids.size() / std::max(1, probes));
        auto *p = new QProcess;
        p->setProgram(QStringLiteral("ffprobe"));
        p->setArguments({QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-rtsp_transport"), QStringLiteral("tcp"),
                         QStringLiteral("-i"), QStringLiteral("rtsp://127.0.0.1:%1/%2").arg(st.rtspPort()).arg(ids[idx]),
                         QStringLiteral("-read_intervals"), QStringLiteral("%+%1").arg(observeS - 2), QStringLiteral("-select_streams"), QStringLiteral("v:0"),
                         QStringLiteral("-count_packets"), QStringLiteral("-show_entries"), QStringLiteral("stream=nb_read_packets"),
                         QStringLiteral("-of"), QStringLiteral("csv=p=0")});
        p->setProperty("cam", ids[idx]);
        p->start();
        probers << p;
    }
    CpuWindow cpu;
    cpu.start(st.pid());
    qint64 rssPeak = 0;
    const qint64 w0 = monoNs();
    while (monoNs() - w0 < qint64(observeS * 1e9)) {
        rssPeak = std::max(rssPeak, st.process()->rssKb());
        sleepMs(500);
    }
    const double windowS = double(monoNs() - w0) / 1e9;
    const QString cpuText = cpu.report();
    const double stationCpu = cpu.procPercent();
    const QJsonArray streams = a.call(QStringLiteral("get_streams"), {}).value(QLatin1String("result")).toArray();
    QList<double> kbps;
    int readyEnd = 0;
    for (const QJsonValue &v : streams) {
        const QJsonObject o = v.toObject();
        readyEnd += o.value(QLatin1String("ready")).toBool() ? 1 : 0;
        kbps << double(o.value(QLatin1String("bytes_sent")).toInteger() - bytes0.value(o.value(QLatin1String("name")).toString())) * 8 / 1000 / windowS;
    }
    std::sort(kbps.begin(), kbps.end());
    QStringList fpsText;
    QList<double> fpsList;
    for (QProcess *p : probers) {
        p->waitForFinished(int(observeS * 1000) + 15000);
        if (p->state() != QProcess::NotRunning) {
            p->kill();
            p->waitForFinished(2000);
        }
        const QString outp = QString::fromUtf8(p->readAllStandardOutput()).trimmed();
        const double frames = outp.split(QLatin1Char('\n')).value(0).trimmed().toDouble();
        const double f = frames / (observeS - 2);
        fpsList << f;
        fpsText << QStringLiteral("%1 %2 fps").arg(p->property("cam").toString()).arg(f, 0, 'f', 1);
        delete p;
    }
    std::sort(fpsList.begin(), fpsList.end());
    // status metrics.fps, as the station reports it (measured or nominal)
    QList<double> reportedFps;
    for (const QString &id : ids)
        reportedFps << a.call(QStringLiteral("get_stream_status"), dev(id)).value(QLatin1String("result")).toObject()
                          .value(QLatin1String("metrics")).toObject().value(QLatin1String("fps")).toDouble();
    std::sort(reportedFps.begin(), reportedFps.end());

    const int publishers = [&] {
        int c = 0;
        for (const ProcInfo &p : descendants(st.pid()))
            c += p.comm == QLatin1String("ffmpeg") && p.cmdline.contains(QLatin1String("testsrc")) ? 1 : 0;
        return c;
    }();

    Row ready{QStringLiteral("%1 paths 640x360@%2: time until all READY").arg(n).arg(fps), QString::number(n),
              ans.isEmpty() ? QStringLiteral("-") : ms(summarize(toNs(ans)).p50Ms), ans.isEmpty() ? QStringLiteral("-") : ms(summarize(toNs(ans)).p99Ms),
              allReadyMs >= 0 ? ms(allReadyMs) : QStringLiteral("not all"),
              QStringLiteral("%1/%2 ready (end of window %3/%2), %4 start_streaming errors").arg(readyCount).arg(ids.size()).arg(readyEnd).arg(failures.size()),
              QStringLiteral("all %1 READY").arg(n), yesNo(readyCount == n && readyEnd == n && failures.isEmpty())};
    ready.p50 = QStringLiteral("answer p50 ") + ready.p50;
    ready.p99 = QStringLiteral("answer p99 ") + ready.p99;
    rows << ready;
    const double minFps = fpsList.isEmpty() ? 0 : fpsList.first();
    rows << Row{QStringLiteral("%1 paths: fps received by an RTSP reader").arg(n), QStringLiteral("%1 probed").arg(fpsList.size()),
                fpsList.isEmpty() ? QStringLiteral("-") : QStringLiteral("%1 fps").arg(fpsList.value(fpsList.size() / 2), 0, 'f', 1),
                QStringLiteral("min %1 fps").arg(minFps, 0, 'f', 1), QStringLiteral("-"),
                QStringLiteral("bitrate per path p50 %1 kbit/s (min %2); reported metrics.fps %3..%4")
                    .arg(kbps.value(kbps.size() / 2), 0, 'f', 0).arg(kbps.value(0), 0, 'f', 0).arg(reportedFps.value(0)).arg(reportedFps.value(reportedFps.size() - 1)),
                QStringLiteral(">= %1 fps (nominal)").arg(fps * 0.95, 0, 'f', 1), yesNo(!fpsList.isEmpty() && minFps >= fps * 0.95)};
    rows << Row{QStringLiteral("%1 paths: station RSS / CPU").arg(n), QString::number(n), mb(rssBefore) + QStringLiteral(" before"), QStringLiteral("peak ") + mb(rssPeak),
                QStringLiteral("-"), QStringLiteral("station CPU %1% of one core; %2 publishers").arg(stationCpu, 0, 'f', 0).arg(publishers),
                QStringLiteral("- (no target)"), QStringLiteral("-"), QStringLiteral("< 60 MB")};
    notes << QStringLiteral("%1 paths, while starting: %2").arg(n).arg(startCpu);
    notes << QStringLiteral("%1 paths, %2 s steady window: %3").arg(n).arg(windowS, 0, 'f', 0).arg(cpuText);
    notes << QStringLiteral("%1 paths: fps by reader: %2").arg(n).arg(fpsText.join(QStringLiteral(", ")));

    // Stop everything.
    for (const QString &id : ids)
        a.call(QStringLiteral("stop_streaming"), dev(id), nullptr, 5000);
    a.close();
    const QList<ProcInfo> left = st.stop();
    if (!left.isEmpty())
        notes << QStringLiteral("after the station stopped, still running: %1").arg(leftoverText(left));
    say(QString());
    say(QStringLiteral("== %1 camera paths (stand-in) ==").arg(n));
    printTable(rows);
    for (const QString &x : std::as_const(notes))
        say(QStringLiteral("- ") + x);
    appendResults(results, QStringLiteral("paths"), rows);
    for (const QString &x : std::as_const(notes))
        appendResults(results, QStringLiteral("note"), {Row{x, {}, {}, {}, {}, {}, {}, {}}});
    return 0;
}

} // namespace bench
