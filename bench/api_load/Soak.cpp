// station_bench --soak SECONDS: a long run of the station with the MediaMTX
// stand-in and 2 demo cameras under steady API traffic from many connections,
// with periodic snapshots and recordings. Checks: no errors, RSS growth after
// warm-up, file descriptors and child processes back to baseline. Prints a
// summary ending in "soak: N passed, N failed"; exits 1 if any check failed.

#include "Modes.h"
#include "Station.h"
#include "Stats.h"
#include "Workers.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>

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
                if (rssWarm < 0 && t >= warmupS)
                    rssWarm = kb;
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
        say(QStringLiteral("t=%1 s %2: sent %3 ok %4 err %5 timeouts %6 skipped %7 p50 %8 p99 %9; RSS %10, fds %11")
                .arg(double(monoNs() - runStart) / 1e9, 0, 'f', 0).arg(method).arg(r.sent).arg(r.ok).arg(r.errors).arg(r.timeouts).arg(r.skipped)
                .arg(ms(s.p50Ms), ms(s.p99Ms), mb(st.process()->rssKb())).arg(fdCount(st.pid())));
        total.merge(r);
    }
    const QString cpuText = cpu.report();
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

    check(alive, QStringLiteral("station ran for the whole soak"));
    check(failedConns == 0 && live == conns, QStringLiteral("%1/%2 connections authenticated and stayed open (%3 failed)").arg(live).arg(conns).arg(failedConns));
    check(total.sent > 0 && total.errors == 0 && total.timeouts == 0,
          QStringLiteral("API traffic without errors or timeouts (%1 requests, %2 errors, %3 timeouts, %4 skipped sends)").arg(total.sent).arg(total.errors).arg(total.timeouts).arg(total.skipped));
    check(snapErr == 0 && recErr == 0 && delErr == 0 && snapOk > 0,
          QStringLiteral("snapshots and recordings without errors (%1+%2 ok, %3+%4+%5 failed)").arg(snapOk).arg(recOk).arg(snapErr).arg(recErr).arg(delErr));
    const double growth = rssWarm > 0 && rssEnd > 0 ? 100.0 * double(rssEnd - rssWarm) / double(rssWarm) : 999;
    check(growth <= 5.0, QStringLiteral("RSS growth after warm-up %1% <= 5% (%2 -> %3)").arg(growth, 0, 'f', 1).arg(mb(rssWarm), mb(rssEnd)));
    check(fdEnd >= 0 && std::abs(fdEnd - fdBase) <= 10, QStringLiteral("file descriptors back to baseline +-10 after connections closed (%1 -> %2)").arg(fdBase).arg(fdEnd));
    check(cold && childEnd.zombies == 0 && childEnd.unexpected.isEmpty() && childEnd.mediamtx == 1 && childEnd.publishers <= 2,
          QStringLiteral("no leaked child processes (publishers stopped: %1; %2)").arg(cold ? QStringLiteral("yes") : QStringLiteral("no"), childEnd.text()));
    const QList<ProcInfo> left = st.stop();
    check(left.isEmpty(), QStringLiteral("nothing left running after the station stopped%1").arg(left.isEmpty() ? QString() : QStringLiteral(" (%1 left)").arg(left.size())));
    say(QStringLiteral("soak: %1 passed, %2 failed").arg(passed).arg(failed));
    return failed == 0 ? 0 : 1;
}

} // namespace bench
