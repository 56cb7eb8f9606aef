// station_bench --soak SECONDS: a long run of the station with the MediaMTX
// stand-in and 2 demo cameras under steady API traffic from many connections,
// with periodic snapshots and recordings. From the end of the warm-up, two
// hostile peers from other loopback addresses run beside them (HostilePeers.h:
// a slow reader and a ping flooder; SOAK_HOSTILE=0 leaves them out). Checks: no
// errors for the polite clients, the slow reader dropped, the flooder throttled
// or closed, RSS bounded while they run and growth after warm-up, file
// descriptors and child processes back to baseline. Prints a summary ending in
// "soak: N passed, N failed"; exits 1 if any check failed.

#include "HostilePeers.h"
#include "Modes.h"
#include "Station.h"
#include "Stats.h"
#include "Workers.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <memory>

namespace bench {

namespace {

QJsonObject dev(const QString &id)
{
    return {{QStringLiteral("device"), id}};
}

bool waitInactive(Admin &a, const QString &id, int timeoutMs)
{
    const qint64 t0 = monoNs();
    while (monoNs() - t0 < qint64(timeoutMs) * 1'000'000) {
        const QJsonObject r = a.call(QStringLiteral("get_stream_status"), dev(id)).value(QLatin1String("result")).toObject();
        if (r.value(QLatin1String("status")).toString() == QLatin1String("INACTIVE"))
            return true;
        sleepMs(250);
    }
    return false;
}

struct ChildReport {
    int mediamtx = 0;
    int publishers = 0;   // descendants of MediaMTX (publisher / recorder ffmpeg)
    int zombies = 0;
    QStringList unexpected;  // direct children of the station that are not MediaMTX
    QString text() const
    {
        return QStringLiteral("MediaMTX %1, its children %2, zombies %3, other children %4%5")
            .arg(mediamtx).arg(publishers).arg(zombies).arg(unexpected.size())
            .arg(unexpected.isEmpty() ? QString() : QStringLiteral(" [") + unexpected.join(QStringLiteral("; ")) + QLatin1Char(']'));
    }
};

ChildReport children(qint64 stationPid, const QString &mtxBin)
{
    ChildReport r;
    const QList<ProcInfo> all = descendants(stationPid);
    QSet<qint64> mtx;
    for (const ProcInfo &p : all) {
        if (p.state == 'Z')
            ++r.zombies;
        if (p.ppid == stationPid) {
            if (p.cmdline.contains(QFileInfo(mtxBin).fileName()) || p.cmdline.contains(QLatin1String("mediamtx"))) {
                ++r.mediamtx;
                mtx << p.pid;
            } else {
                r.unexpected << QStringLiteral("%1 %2 (%3)").arg(p.pid).arg(p.cmdline.left(60)).arg(QLatin1Char(p.state));
            }
        }
    }
    for (const ProcInfo &p : all)
        if (p.ppid != stationPid)
            ++r.publishers;
    return r;
}

QString seconds(QList<double> v)
{
    if (v.isEmpty())
        return QStringLiteral("-");
    std::sort(v.begin(), v.end());
    return QStringLiteral("min %1 s, median %2 s, max %3 s").arg(v.first(), 0, 'f', 1).arg(v[v.size() / 2], 0, 'f', 1).arg(v.last(), 0, 'f', 1);
}

// Why the station closed or aborted connections from `address`, as its log says
// ("conn-… from ADDRESS closed: REASON" / "aborted: REASON"), counted per reason.
QMap<QString, int> closesInLog(const QString &logPath, const QString &address)
{
    QMap<QString, int> reasons;
    QFile f(logPath);
    if (!f.open(QIODevice::ReadOnly))
        return reasons;
    static const QRegularExpression re(QStringLiteral("from (\\S+) (closed|aborted): ([a-z ]+)"));
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine());
        const QRegularExpressionMatch m = re.match(line);
        if (m.hasMatch() && m.captured(1) == address)
            reasons[m.captured(2) + QLatin1Char(' ') + m.captured(3).trimmed()] += 1;
    }
    return reasons;
}

QString reasonsText(const QMap<QString, int> &r)
{
    QStringList parts;
    for (auto it = r.cbegin(); it != r.cend(); ++it)
        parts << QStringLiteral("%1x '%2'").arg(it.value()).arg(it.key());
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

} // namespace

int runSoak(const QCommandLineParser &parser)
{
    const QString dataDir = parser.value(QStringLiteral("data-dir"));
    const double soakS = std::max(20.0, parser.value(QStringLiteral("soak")).toDouble());
    const int conns = std::max(1, parser.value(QStringLiteral("soak-connections")).toInt());
    const double rate = std::max(0.1, parser.value(QStringLiteral("soak-rate")).toDouble());
    const int threadCount = std::max(1, parser.value(QStringLiteral("threads")).toInt());
    const int snapshotEvery = std::max(1, parser.value(QStringLiteral("snapshot-every")).toInt());
    const int recordEvery = std::max(1, parser.value(QStringLiteral("record-every")).toInt());
    const int recordFor = std::max(1, parser.value(QStringLiteral("record-for")).toInt());
    const double warmupS = std::min(60.0, soakS / 5);
    const QString mtxBin = parser.value(QStringLiteral("mediamtx"));
    constexpr double kPhaseS = 10;
    // The slow reader needs server.slow_read_timeout_s (20 s) and then some to be judged.
    // SOAK_HOSTILE: 1 (default) both peers, slow or flood one of them, 0 none.
    const QString hostileMode = qEnvironmentVariable("SOAK_HOSTILE", QStringLiteral("1"));
    const bool hostile = hostileMode != QLatin1String("0") && soakS - warmupS >= 40;
    const bool withSlow = hostile && hostileMode != QLatin1String("flood");
    const bool withFlood = hostile && hostileMode != QLatin1String("slow");
    QStringList besides;
    if (withSlow)
        besides << QStringLiteral("the slow reader");
    if (withFlood)
        besides << QStringLiteral("the ping flooder");

    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    int passed = 0, failed = 0;
    QStringList summary;
    auto check = [&](bool ok, const QString &what) {
        (ok ? passed : failed) += 1;
        summary << QStringLiteral("%1 %2").arg(ok ? QStringLiteral("PASS") : QStringLiteral("FAIL"), what);
        say(summary.last());
    };

    Station st(parser.value(QStringLiteral("server")), dataDir, mtxBin);
    st.set(QStringLiteral("cameras.demo=2"));
    st.set(QStringLiteral("mediamtx.close_after_s=2"));
    st.set(QStringLiteral("server.max_connections=%1").arg(conns + conns / 10 + 20));
    say(QStringLiteral("soak: %1 s, %2 connections x %3 req/s, snapshot on each camera every %4 s, a %5 s recording every %6 s")
            .arg(soakS).arg(conns).arg(rate).arg(snapshotEvery).arg(recordFor).arg(recordEvery));
    say(QStringLiteral("station: %1").arg(st.describe()));
    QStringList peerText;
    if (withSlow)
        peerText << QStringLiteral("a slow reader from 127.0.0.2 (20 requests/s, reads 1 KB/s)");
    if (withFlood)
        peerText << QStringLiteral("an unauthenticated ping flooder from 127.0.0.3 (never reads)");
    say(hostile ? QStringLiteral("hostile peers from the end of the warm-up (%1 s): %2").arg(warmupS, 0, 'f', 0).arg(peerText.join(QStringLiteral(" and ")))
                : QStringLiteral("hostile peers: off (SOAK_HOSTILE=0, or less than 40 s after the warm-up)"));
    QString error;
    if (!st.start(&error)) {
        std::fprintf(stderr, "station_bench: cannot start the station: %s\n", qPrintable(error));
        say(QStringLiteral("soak: 0 passed, 1 failed"));
        return 1;
    }
    double pingMs = -1, healthMs = -1;
    st.waitReady(&pingMs, &healthMs, 30000);
    Admin a;
    if (healthMs < 0 || !a.open(st, &error)) {
        check(false, QStringLiteral("station ready (ping %1 ms, /health/ready %2 ms): %3").arg(pingMs).arg(healthMs).arg(st.process()->logTail(15)));
        st.stop();
        say(QStringLiteral("soak: %1 passed, %2 failed").arg(passed).arg(failed));
        return 1;
    }
    QStringList ids;
    for (const QJsonValue &c : a.call(QStringLiteral("get_camera_list"), {}).value(QLatin1String("result")).toObject().value(QLatin1String("cameras")).toArray())
        ids << c.toObject().value(QLatin1String("device")).toString();
    if (ids.size() < 2) {
        check(false, QStringLiteral("2 demo cameras listed (got %1)").arg(ids.size()));
        st.stop();
        say(QStringLiteral("soak: %1 passed, %2 failed").arg(passed).arg(failed));
        return 1;
    }

    // Priming: one snapshot per camera, then let the publishers stop; the
    // baseline is taken in that state (lazy initialisation is not a leak).
    for (const QString &id : ids.mid(0, 2))
        a.call(QStringLiteral("take_snapshot"), dev(id));
    for (const QString &id : ids.mid(0, 2))
        waitInactive(a, id, 20000);
    sleepMs(1000);
    const int fdBase = fdCount(st.pid());
    const ChildReport childBase = children(st.pid(), mtxBin);
    say(QStringLiteral("baseline: %1 fds, RSS %2; children: %3").arg(fdBase).arg(mb(st.process()->rssKb()), childBase.text()));

    // Connections.
    Workers w;
    for (int i = 0; i < threadCount; ++i) {
        auto *th = new QThread;
        auto *worker = new ClientWorker(i, st.url(), st.token());
        worker->moveToThread(th);
        QObject::connect(th, &QThread::finished, worker, &QObject::deleteLater);
        th->start();
        w.threads << th;
        w.workers << worker;
    }
    for (int i = 0; i < threadCount; ++i) {
        const int share = conns / threadCount + (i < conns % threadCount ? 1 : 0);
        w.post(i, [&w, i, share] { w.workers[i]->openConnections(share, {QStringLiteral("system.health")}, 32); });
    }
    waitUntil([&] { return w.ready() + w.failed() >= conns || !st.process()->isRunning(); }, 120000, 20);
    say(QStringLiteral("%1 connections ready, %2 failed; fds %3, RSS %4").arg(w.ready()).arg(w.failed()).arg(fdCount(st.pid())).arg(mb(st.process()->rssKb())));

    // The run: back-to-back 10 s phases of API traffic (ping, get_camera_list,
    // list_recordings, get_system_status in turn) while this thread takes the
    // snapshots and recordings.
    const QStringList methods{QStringLiteral("ping"), QStringLiteral("get_camera_list"), QStringLiteral("list_recordings"), QStringLiteral("get_system_status")};
    PhaseResult total;
    int snapOk = 0, snapErr = 0, recOk = 0, recErr = 0, delErr = 0;
    QStringList mediaErrors;
    std::vector<qint64> snapLat;
    struct PendingDelete {
        qint64 dueNs;
        QString method;
        QString filename;
    };
    QList<PendingDelete> deletes;
    QList<std::pair<double, qint64>> rssSeries;  // (s since start, kB)
    const qint64 runStart = monoNs();
    qint64 nextSnap = runStart, nextRec = runStart + 5'000'000'000LL, nextSample = runStart;
    int phase = 0, recCam = 0;
    qint64 rssWarm = -1;
    std::unique_ptr<HostilePeers> peers;
    qint64 rssHostilePeak = -1;
    qint64 rssGrowthBase = -1;  // RSS the leak check compares the end with
    double hostileS = 0;
    qint64 hostileStartNs = 0;
    CpuWindow cpu;
    cpu.start(st.pid());
    while (monoNs() - runStart < qint64(soakS * 1e9) && st.process()->isRunning()) {
        ++phase;
        const QString method = methods[(phase - 1) % methods.size()];
        const QByteArray params = method == QLatin1String("list_recordings") ? QByteArrayLiteral("{\"limit\":50}") : QByteArrayLiteral("{}");
        const qint64 remainingNs = qint64(soakS * 1e9) - (monoNs() - runStart);
        const qint64 durNs = std::min<qint64>(qint64(kPhaseS * 1e9), remainingNs);
        const qint64 begin = monoNs() + 20'000'000;
        for (int i = 0; i < threadCount; ++i)
            w.post(i, [&w, i, phase, method, params, begin, durNs, rate] { w.workers[i]->startPhase(phase, method, params, begin, durNs, rate, 10); });
        while (monoNs() < begin + durNs && st.process()->isRunning()) {
            const qint64 now = monoNs();
            if (now >= nextSample) {
                const qint64 kb = st.process()->rssKb();
                const double t = double(now - runStart) / 1e9;
                rssSeries << std::make_pair(t, kb);
                if (rssWarm < 0 && t >= warmupS) {
                    rssWarm = kb;
                    if (hostile) {
                        HostilePeers::Options o;
                        o.port = st.port();
                        o.token = st.token();
                        o.slowReader = withSlow;
                        o.flooder = withFlood;
                        peers = std::make_unique<HostilePeers>(o);
                        peers->start();
                        hostileStartNs = now;
                    }
                }
                if (peers)
                    rssHostilePeak = std::max(rssHostilePeak, kb);
                // With hostile peers the leak check's base is taken once both have been
                // dropped at least once (30 s in): their queues leave a one-off step of
                // heap the allocator keeps (fragmentation, flat afterwards), which is not
                // growth over time. A leak still shows between this point and the end.
                if (peers && rssGrowthBase < 0 && t >= warmupS + 30)
                    rssGrowthBase = kb;
                nextSample += 1'000'000'000LL;
            }
            if (now >= nextSnap) {
                nextSnap += qint64(snapshotEvery) * 1'000'000'000LL;
                for (const QString &id : ids.mid(0, 2)) {
                    double lat = 0;
                    const QJsonObject r = a.call(QStringLiteral("take_snapshot"), dev(id), &lat, 15000);
                    if (r.contains(QLatin1String("result"))) {
                        ++snapOk;
                        snapLat.push_back(qint64(lat * 1e6));
                        deletes << PendingDelete{monoNs(), QStringLiteral("delete_snapshot"), r.value(QLatin1String("result")).toObject().value(QLatin1String("filename")).toString()};
                    } else {
                        ++snapErr;
                        mediaErrors << QStringLiteral("take_snapshot %1: %2").arg(id, errorText(r));
                    }
                }
            }
            if (now >= nextRec) {
                nextRec += qint64(recordEvery) * 1'000'000'000LL;
                const QString id = ids[recCam++ % 2];
                const QJsonObject r = a.call(QStringLiteral("start_recording"), {{QStringLiteral("device"), id}, {QStringLiteral("duration"), recordFor}}, nullptr, 20000);
                if (r.contains(QLatin1String("result"))) {
                    ++recOk;
                    deletes << PendingDelete{monoNs() + qint64(recordFor + 8) * 1'000'000'000LL, QStringLiteral("delete_recording"),
                                             r.value(QLatin1String("result")).toObject().value(QLatin1String("filename")).toString()};
                } else {
                    ++recErr;
                    mediaErrors << QStringLiteral("start_recording %1: %2").arg(id, errorText(r));
                }
            }
            // Keep the disk bounded on long runs: delete what was made.
            for (qsizetype i = 0; i < deletes.size();) {
                if (deletes[i].dueNs > monoNs()) {
                    ++i;
                    continue;
                }
                const QJsonObject r = a.call(deletes[i].method, {{QStringLiteral("filename"), deletes[i].filename}});
                if (!r.contains(QLatin1String("result"))) {
                    ++delErr;
                    mediaErrors << QStringLiteral("%1 %2: %3").arg(deletes[i].method, deletes[i].filename, errorText(r));
                }
                deletes.removeAt(i);
            }
            sleepMs(100);
        }
        waitUntil([&] { return w.pending(phase) == 0; }, 5000, 25);
        PhaseResult r;
        for (int i = 0; i < threadCount; ++i) {
            PhaseResult part;
            const int ph = phase;
            w.run(i, [&part, &w, i, ph] { part = w.workers[i]->takePhaseResult(ph); });
            r.merge(part);
        }
        w.notifications();
        const Summary s = summarize(r.latenciesNs);
        QString hostileNow;
        if (peers) {
            const HostilePeers::SlowReader sr = peers->slowReader();
            const HostilePeers::Flooder fl = peers->flooder();
            if (withSlow)
                hostileNow += QStringLiteral("; slow reader drops %1").arg(sr.drops);
            if (withFlood)
                hostileNow += QStringLiteral("; flooder %1 pings, throttled %2, closed %3").arg(fl.pings).arg(fl.throttled).arg(fl.closes);
        }
        say(QStringLiteral("t=%1 s %2: sent %3 ok %4 err %5 timeouts %6 skipped %7 p50 %8 p99 %9; RSS %10, fds %11%12")
                .arg(double(monoNs() - runStart) / 1e9, 0, 'f', 0).arg(method).arg(r.sent).arg(r.ok).arg(r.errors).arg(r.timeouts).arg(r.skipped)
                .arg(ms(s.p50Ms), ms(s.p99Ms), mb(st.process()->rssKb())).arg(fdCount(st.pid())).arg(hostileNow));
        total.merge(r);
    }
    const QString cpuText = cpu.report();
    // The hostile peers stop first; the station has let go of them after its close grace (2 s) and a housekeeping turn.
    HostilePeers::SlowReader slow;
    HostilePeers::Flooder flood;
    if (peers) {
        peers->stop();
        hostileS = double(monoNs() - hostileStartNs) / 1e9;
        slow = peers->slowReader();
        flood = peers->flooder();
        sleepMs(3500);
    }
    const bool alive = st.process()->isRunning();
    const qint64 rssEnd = alive ? st.process()->rssKb() : -1;
    if (rssWarm < 0 && !rssSeries.isEmpty())
        rssWarm = rssSeries.first().second;

    // Slope of RSS after warm-up (least squares), MB per hour.
    double slope = 0;
    {
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (const auto &[t, kb] : rssSeries) {
            if (t < warmupS)
                continue;
            n += 1;
            sx += t;
            sy += double(kb);
            sxx += t * t;
            sxy += t * double(kb);
        }
        if (n > 2 && n * sxx - sx * sx > 0)
            slope = (n * sxy - sx * sy) / (n * sxx - sx * sx) * 3600 / 1024;
    }

    // Close the connections, let pending deletes run, and let the publishers stop.
    const int live = w.ready() - w.disconnected();
    const int failedConns = w.failed();
    w.shutdown();
    for (const PendingDelete &d : std::as_const(deletes)) {
        const qint64 wait = (d.dueNs - monoNs()) / 1'000'000;
        if (wait > 0)
            sleepMs(wait);
        const QJsonObject r = a.call(d.method, {{QStringLiteral("filename"), d.filename}});
        if (!r.contains(QLatin1String("result"))) {
            ++delErr;
            mediaErrors << QStringLiteral("%1 %2: %3").arg(d.method, d.filename, errorText(r));
        }
    }
    bool cold = alive;
    for (const QString &id : ids.mid(0, 2))
        cold = cold && waitInactive(a, id, 30000);
    sleepMs(2000);
    const int fdEnd = alive ? fdCount(st.pid()) : -1;
    const ChildReport childEnd = alive ? children(st.pid(), mtxBin) : ChildReport{};
    a.close();

    say(QString());
    say(QStringLiteral("== soak summary (%1 s, %2 connections) ==").arg(soakS).arg(conns));
    const Summary s = summarize(total.latenciesNs);
    const Summary ss = summarize(snapLat);
    say(QStringLiteral("API: %1 sent, %2 ok, %3 errors, %4 timeouts, %5 skipped; p50 %6, p99 %7, max %8")
            .arg(total.sent).arg(total.ok).arg(total.errors).arg(total.timeouts).arg(total.skipped).arg(ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs)));
    say(QStringLiteral("snapshots: %1 ok, %2 failed (p50 %3, p99 %4); recordings: %5 ok, %6 failed; deletes failed: %7")
            .arg(snapOk).arg(snapErr).arg(ms(ss.p50Ms), ms(ss.p99Ms)).arg(recOk).arg(recErr).arg(delErr));
    say(QStringLiteral("RSS: after warm-up (%1 s) %2, end %3, slope after warm-up %4 MB/h").arg(warmupS, 0, 'f', 0).arg(mb(rssWarm), mb(rssEnd)).arg(slope, 0, 'f', 1));
    say(QStringLiteral("CPU during the run: %1").arg(cpuText));
    say(QStringLiteral("fds: baseline %1, end %2; children at end: %3").arg(fdBase).arg(fdEnd).arg(childEnd.text()));
    for (const QString &e : mediaErrors.mid(0, 20))
        say(QStringLiteral("  error: ") + e);
    const QString logPath = dataDir + QStringLiteral("/station-server.log");
    const QMap<QString, int> slowLog = closesInLog(logPath, QStringLiteral("127.0.0.2"));
    const QMap<QString, int> floodLog = closesInLog(logPath, QStringLiteral("127.0.0.3"));
    if (withSlow) {
        say(QStringLiteral("slow reader (127.0.0.2) over %1 s: %2 connections, %3 dropped, time to drop %4; %5 requests sent, %6 bytes read (%7 B/s); "
                           "%8 upgrade failures%9; station log: %10")
                .arg(hostileS, 0, 'f', 0).arg(slow.connects).arg(slow.drops).arg(seconds(slow.dropAfterS)).arg(slow.requestsSent).arg(slow.bytesRead)
                .arg(hostileS > 0 ? double(slow.bytesRead) / hostileS : 0, 0, 'f', 0).arg(slow.handshakeFailures)
                .arg(slow.lastError.isEmpty() ? QString() : QStringLiteral(" (") + slow.lastError + QLatin1Char(')'), reasonsText(slowLog)));
    }
    if (withFlood) {
        say(QStringLiteral("ping flooder (127.0.0.3) over %1 s: %2 connections, %3 pings (%4 MB) sent; %5 throttled (sends blocked >= 1 s, after %6), "
                           "blocked %7 s in all; %8 closed by the station (after %9); %10 upgrade failures%11; station log: %12")
                .arg(hostileS, 0, 'f', 0).arg(flood.connects).arg(flood.pings).arg(double(flood.bytesSent) / 1048576.0, 0, 'f', 1).arg(flood.throttled)
                .arg(seconds(flood.throttledAfterS)).arg(flood.blockedS, 0, 'f', 0).arg(flood.closes).arg(seconds(flood.closedAfterS)).arg(flood.handshakeFailures)
                .arg(flood.lastError.isEmpty() ? QString() : QStringLiteral(" (") + flood.lastError + QLatin1Char(')'), reasonsText(floodLog)));
    }
    if (hostile) {
        say(QStringLiteral("RSS while the hostile peers ran: peak %1 (after warm-up %2, end %3)").arg(mb(rssHostilePeak), mb(rssWarm), mb(rssEnd)));
    }

    check(alive, QStringLiteral("station ran for the whole soak"));
    check(failedConns == 0 && live == conns, QStringLiteral("%1/%2 connections authenticated and stayed open (%3 failed)").arg(live).arg(conns).arg(failedConns));
    check(total.sent > 0 && total.errors == 0 && total.timeouts == 0,
          QStringLiteral("API traffic without errors or timeouts (%1 requests, %2 errors, %3 timeouts, %4 skipped sends)%5").arg(total.sent).arg(total.errors).arg(total.timeouts).arg(total.skipped)
              .arg(hostile ? QStringLiteral(", beside %1").arg(besides.join(QStringLiteral(" and "))) : QString()));
    if (withSlow) {
        check(slow.drops >= 1, QStringLiteral("slow reader dropped by the station: %1 of %2 connections (time to drop %3; station log: %4)")
                                   .arg(slow.drops).arg(slow.connects).arg(seconds(slow.dropAfterS), reasonsText(slowLog)));
    }
    if (withFlood) {
        check(flood.throttled + flood.closes >= 1,
              QStringLiteral("ping flooder throttled or closed: %1 connections, %2 throttled, %3 closed (after %4; station log: %5)")
                  .arg(flood.connects).arg(flood.throttled).arg(flood.closes).arg(seconds(flood.closedAfterS), reasonsText(floodLog)));
    }
    if (hostile) {
        // Each hostile connection may hold up to its outbound budget (server.max_outbound_queue_bytes, 8 MiB) before the
        // station stops reading it; nothing more than that may show in RSS.
        const qint64 boundKb = rssWarm > 0 ? rssWarm + rssWarm / 20 + (int(withSlow) + int(withFlood)) * 8 * 1024 : -1;
        check(rssHostilePeak > 0 && rssHostilePeak <= boundKb,
              QStringLiteral("RSS while the hostile peers ran: peak %1 <= %2 (after warm-up + 5% + one 8 MiB outbound budget per hostile peer)")
                  .arg(mb(rssHostilePeak), mb(boundKb)));
    }
    check(snapErr == 0 && recErr == 0 && delErr == 0 && snapOk > 0,
          QStringLiteral("snapshots and recordings without errors (%1+%2 ok, %3+%4+%5 failed)").arg(snapOk).arg(recOk).arg(snapErr).arg(recErr).arg(delErr));
    const qint64 base = rssGrowthBase > 0 ? rssGrowthBase : rssWarm;
    const double growth = base > 0 && rssEnd > 0 ? 100.0 * double(rssEnd - base) / double(base) : 999;
    check(growth <= 5.0, QStringLiteral("RSS growth after warm-up %1% <= 5% (%2 -> %3%4)").arg(growth, 0, 'f', 1).arg(mb(base), mb(rssEnd))
                             .arg(rssGrowthBase > 0 ? QStringLiteral("; base taken 30 s into the hostile peers, after warm-up %1").arg(mb(rssWarm)) : QString()));
    check(fdEnd >= 0 && std::abs(fdEnd - fdBase) <= 10, QStringLiteral("file descriptors back to baseline +-10 after connections closed (%1 -> %2)").arg(fdBase).arg(fdEnd));
    check(cold && childEnd.zombies == 0 && childEnd.unexpected.isEmpty() && childEnd.mediamtx == 1 && childEnd.publishers <= 2,
          QStringLiteral("no leaked child processes (publishers stopped: %1; %2)").arg(cold ? QStringLiteral("yes") : QStringLiteral("no"), childEnd.text()));
    const QList<ProcInfo> left = st.stop();
    check(left.isEmpty(), QStringLiteral("nothing left running after the station stopped%1").arg(left.isEmpty() ? QString() : QStringLiteral(" (%1 left)").arg(left.size())));
    say(QStringLiteral("soak: %1 passed, %2 failed").arg(passed).arg(failed));
    return failed == 0 ? 0 : 1;
}

} // namespace bench
