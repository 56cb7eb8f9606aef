// station_bench: loads a real `camera-station --headless` over loopback and
// prints one table of latency, throughput, memory, start-up and notification
// fan-out numbers against the product's performance targets.
//
// Everything runs on 127.0.0.1. The benchmark starts and stops the server
// itself (see ServerProcess), creates the recording files before the server
// starts, and exits 0 whether or not the targets are met (2 on a setup error).

#include "BenchClock.h"
#include "ClientWorker.h"
#include "Common.h"
#include "Modes.h"
#include "Station.h"
#include "Workers.h"
#include "ServerProcess.h"
#include "Stats.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace bench;


int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("station_bench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Starts camera-station --headless on loopback, loads its WebSocket JSON-RPC API and prints latency, throughput,\n"
        "memory, start-to-ready and notification fan-out against the performance targets. Exits 0 either way."));
    parser.addHelpOption();
    const QString defaultServer = QCoreApplication::applicationDirPath() + QStringLiteral("/camera-station");
    parser.addOption({QStringLiteral("server"), QStringLiteral("camera-station binary (default: next to station_bench)."), QStringLiteral("path"), defaultServer});
    parser.addOption({QStringLiteral("data-dir"), QStringLiteral("Data directory for the server (required; recordings are created in DIR/recordings)."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("files"), QStringLiteral("Recording files to create (default 10000)."), QStringLiteral("n"), QStringLiteral("10000")});
    parser.addOption({QStringLiteral("port"), QStringLiteral("WebSocket port (default: a free port)."), QStringLiteral("port"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("health-port"), QStringLiteral("Health port (default: a free port)."), QStringLiteral("port"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("connections"), QStringLiteral("Comma-separated connection counts (default 1,100,1000)."), QStringLiteral("list"), QStringLiteral("1,100,1000")});
    parser.addOption({QStringLiteral("duration"), QStringLiteral("Seconds per load phase (default 10)."), QStringLiteral("s"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("drain"), QStringLiteral("Seconds to wait for late responses after a phase (default 5)."), QStringLiteral("s"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("rate"), QStringLiteral("Requests per second per connection (default 10)."), QStringLiteral("r"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("list-rate"), QStringLiteral("Requests per second per connection for list_recordings (default 1)."), QStringLiteral("r"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("threads"), QStringLiteral("Client threads, each owning a share of the sockets (default 2)."), QStringLiteral("n"), QStringLiteral("2")});
    parser.addOption({QStringLiteral("max-outstanding"), QStringLiteral("Per-connection cap on unanswered requests; sends beyond it are skipped and reported (default 10)."), QStringLiteral("n"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("methods"), QStringLiteral("Comma-separated methods to load (default ping,get_camera_list,list_recordings)."), QStringLiteral("list"), QStringLiteral("ping,get_camera_list,list_recordings")});
    parser.addOption({QStringLiteral("fanout-rounds"), QStringLiteral("system.health trigger rounds (each round: 2 notifications per client; default 3)."), QStringLiteral("n"), QStringLiteral("3")});
    // Modes besides the API load run.
    parser.addOption({QStringLiteral("mode"), QStringLiteral("api (default): the API load run; media: start-to-ready, snapshot and recording latency with "
                                                             "MediaMTX and 2 demo cameras; paths: N test cameras streaming at once; "
                                                             "peer: the station against a Node.js ws server, alternated (--rounds)."), QStringLiteral("mode"), QStringLiteral("api")});
    parser.addOption({QStringLiteral("peer-script"), QStringLiteral("peer: the Node.js server (default: bench/peer/ws-peer.js)."), QStringLiteral("path"), QStringLiteral(STATION_BENCH_PEER)});
    parser.addOption({QStringLiteral("rounds"), QStringLiteral("peer: rounds per side, alternated station/peer (default 2)."), QStringLiteral("n"), QStringLiteral("2")});
    parser.addOption({QStringLiteral("soak"), QStringLiteral("Soak mode: run for SECONDS with --soak-connections clients, periodic snapshots and recordings; "
                                                             "prints 'soak: N passed, N failed' and exits 1 on failure."), QStringLiteral("seconds")});
    parser.addOption({QStringLiteral("results"), QStringLiteral("Append the result rows to this tab-separated file (bench/run merges them)."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("mediamtx"), QStringLiteral("MediaMTX binary for media/paths/soak (default: the stand-in in tests/support)."), QStringLiteral("path"), defaultStandin()});
    parser.addOption({QStringLiteral("samples"), QStringLiteral("media: cold snapshot samples (warm: twice as many; recordings: half; default 5)."), QStringLiteral("n"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("starts"), QStringLiteral("media: station starts for start-to-ready (default 3)."), QStringLiteral("n"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("paths"), QStringLiteral("paths: number of test cameras (default 24)."), QStringLiteral("n"), QStringLiteral("24")});
    parser.addOption({QStringLiteral("path-fps"), QStringLiteral("paths: frame rate of each test camera (default 15)."), QStringLiteral("fps"), QStringLiteral("15")});
    parser.addOption({QStringLiteral("fps-probes"), QStringLiteral("paths: RTSP readers counting frames (ffprobe, no decoding; default 4)."), QStringLiteral("n"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("soak-connections"), QStringLiteral("soak: client connections (default 500)."), QStringLiteral("n"), QStringLiteral("500")});
    parser.addOption({QStringLiteral("soak-rate"), QStringLiteral("soak: requests/s per connection (default 1)."), QStringLiteral("r"), QStringLiteral("1")});
    parser.addOption({QStringLiteral("snapshot-every"), QStringLiteral("soak: seconds between snapshot rounds (one per camera; default 10)."), QStringLiteral("s"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("record-every"), QStringLiteral("soak: seconds between recordings (default 60)."), QStringLiteral("s"), QStringLiteral("60")});
    parser.addOption({QStringLiteral("record-for"), QStringLiteral("soak: length of each recording in seconds (default 10)."), QStringLiteral("s"), QStringLiteral("10")});
    parser.process(app);

    const QString dataDir = parser.value(QStringLiteral("data-dir"));
    if (dataDir.isEmpty()) {
        std::fprintf(stderr, "station_bench: --data-dir is required\n");
        return 2;
    }
    const QString serverBin = parser.value(QStringLiteral("server"));
    if (!QFileInfo(serverBin).isExecutable()) {
        std::fprintf(stderr, "station_bench: %s is not an executable (build first)\n", qPrintable(serverBin));
        return 2;
    }
    const QString mode = parser.isSet(QStringLiteral("soak")) ? QStringLiteral("soak") : parser.value(QStringLiteral("mode"));
    if (mode != QLatin1String("api")) {
        rlimit lim{};
        if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
            lim.rlim_cur = lim.rlim_max;
            setrlimit(RLIMIT_NOFILE, &lim);
        }
        if (!QDir().mkpath(dataDir)) {
            std::fprintf(stderr, "station_bench: cannot create %s\n", qPrintable(dataDir));
            return 2;
        }
        if (mode == QLatin1String("media"))
            return runMedia(parser);
        if (mode == QLatin1String("paths"))
            return runPaths(parser);
        if (mode == QLatin1String("soak"))
            return runSoak(parser);
        if (mode == QLatin1String("peer"))
            return runPeer(parser);
        std::fprintf(stderr, "station_bench: unknown --mode %s\n", qPrintable(mode));
        return 2;
    }
    const QString resultsFile = parser.value(QStringLiteral("results"));
    QList<int> counts;
    for (const QString &c : parser.value(QStringLiteral("connections")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        counts << c.toInt();
    std::sort(counts.begin(), counts.end());
    const QStringList methods = parser.value(QStringLiteral("methods")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const int fileCount = parser.value(QStringLiteral("files")).toInt();
    const double durationS = parser.value(QStringLiteral("duration")).toDouble();
    const double drainS = parser.value(QStringLiteral("drain")).toDouble();
    const double rate = parser.value(QStringLiteral("rate")).toDouble();
    const double listRate = parser.value(QStringLiteral("list-rate")).toDouble();
    const int threadCount = std::max(1, parser.value(QStringLiteral("threads")).toInt());
    const int maxOutstanding = std::max(1, parser.value(QStringLiteral("max-outstanding")).toInt());
    const int fanoutRounds = std::max(0, parser.value(QStringLiteral("fanout-rounds")).toInt());
    const int maxConns = counts.isEmpty() ? 0 : counts.last();

    // 1000 client sockets plus 1000 server sockets: make sure the descriptor limit allows it
    // (the server inherits the raised limit).
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    QElapsedTimer wholeRun;
    wholeRun.start();
    say(QStringLiteral("station_bench: %1 client thread(s), machine has %2 CPU(s) shared by client and server")
            .arg(threadCount).arg(QThread::idealThreadCount()));

    // 1. Files first, so the server's initial index holds all of them.
    QString error;
    const QString recDir = dataDir + QStringLiteral("/recordings");
    QElapsedTimer t;
    t.start();
    const int made = createRecordings(recDir, fileCount, &error);
    if (made != fileCount) {
        std::fprintf(stderr, "station_bench: created %d of %d files in %s %s\n", made, fileCount, qPrintable(recDir), qPrintable(error));
        return 2;
    }
    say(QStringLiteral("created %1 recording files in %2 (%3 ms)").arg(made).arg(recDir).arg(t.elapsed()));

    // 2. The server.
    quint16 port = quint16(parser.value(QStringLiteral("port")).toUInt());
    quint16 healthPort = quint16(parser.value(QStringLiteral("health-port")).toUInt());
    if (port == 0 || healthPort == 0) {
        const QList<quint16> free = freePorts(2);
        if (free.size() != 2) {
            std::fprintf(stderr, "station_bench: no free loopback ports\n");
            return 2;
        }
        port = port ? port : free[0];
        healthPort = healthPort ? healthPort : free[1];
    }
    const QByteArray secret = randomSecret(48);
    const int maxConnSetting = std::max(100, maxConns + maxConns / 10 + 10);
    struct Override {
        QString kv;
        QString why;
    };
    const QList<Override> overrides{
        {QStringLiteral("server.host=127.0.0.1"), QStringLiteral("loopback only")},
        {QStringLiteral("server.port=%1").arg(port), QStringLiteral("WebSocket/HTTP port chosen for this run")},
        {QStringLiteral("health.host=127.0.0.1"), QStringLiteral("loopback only")},
        {QStringLiteral("health.port=%1").arg(healthPort), QStringLiteral("health port chosen for this run")},
        {QStringLiteral("server.max_connections=%1").arg(maxConnSetting), QStringLiteral("default 100; room for %1 clients + probes").arg(maxConns)},
        {QStringLiteral("security.rate_limit.per_second=1000"), QStringLiteral("per-connection budget (default 30/s) well above the 10 req/s sent")},
        {QStringLiteral("security.rate_limit.burst=2000"), QStringLiteral("default 60")},
        {QStringLiteral("security.rate_limit.per_address_per_second=1000000"), QStringLiteral("all clients share 127.0.0.1; default 300/s would throttle the benchmark")},
        {QStringLiteral("security.rate_limit.per_address_burst=1000000"), QStringLiteral("default 600")},
        {QStringLiteral("server.max_connections_per_address=0"), QStringLiteral("all clients share 127.0.0.1; default 32 would refuse the rest")},
        {QStringLiteral("security.jwt_secret=<%1 random chars>").arg(secret.size()), QStringLiteral("known to the benchmark, which signs its own HS256 admin token")},
        {QStringLiteral("mediamtx.binary=/nonexistent"), QStringLiteral("no MediaMTX here: its supervisor reports NOT_INSTALLED and stays idle")},
    };
    QStringList args{QStringLiteral("--headless"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("--config"), QStringLiteral("/dev/null")};
    say(QStringLiteral("server: %1 --headless --data-dir %2 --config /dev/null").arg(serverBin, dataDir));
    for (const Override &o : overrides) {
        QString kv = o.kv;
        if (kv.startsWith(QLatin1String("security.jwt_secret=")))
            kv = QStringLiteral("security.jwt_secret=") + QString::fromLatin1(secret);
        args << QStringLiteral("--set") << kv;
        say(QStringLiteral("   --set %1   # %2").arg(o.kv, -58).arg(o.why));
    }
    const QString logPath = dataDir + QStringLiteral("/station-server.log");
    ServerProcess server(serverBin, args, logPath);
    const QUrl url(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port));

    QList<Row> rows;
    QStringList notes;

    // 3. Start-to-ready: process start until the WebSocket port answers ping.
    const qint64 startNs = monoNs();
    if (!server.start(&error)) {
        std::fprintf(stderr, "station_bench: cannot start %s: %s\n", qPrintable(serverBin), qPrintable(error));
        return 2;
    }
    qint64 readyNs = -1;
    int attempts = 0;
    while (monoNs() - startNs < 10'000'000'000LL && server.isRunning()) {
        ++attempts;
        SyncClient probe;
        if (probe.open(url, 500)) {
            const auto r = probe.call(QStringLiteral("ping"), {}, 1000);
            if (r && r->value(QLatin1String("result")).toString() == QLatin1String("pong")) {
                readyNs = monoNs();
                probe.close();
                break;
            }
        }
        probe.close();
        sleepMs(2);
    }
    if (readyNs < 0) {
        std::fprintf(stderr, "station_bench: the server did not answer ping within 10 s. Log tail:\n%s\n", qPrintable(server.logTail(30)));
        return 2;
    }
    const double startMs = double(readyNs - startNs) / 1e6;
    say(QStringLiteral("server pid %1 answered ping %2 ms after start (%3 connection attempts)").arg(server.pid()).arg(startMs, 0, 'f', 1).arg(attempts));
    rows << Row{QStringLiteral("start-to-ready (WS ping)"), QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("-"), ms(startMs),
                QStringLiteral("-"), QStringLiteral("<= 1000 ms"), startMs <= 1000 ? QStringLiteral("yes") : QStringLiteral("NO")};

    const QByteArray token = signJwt(secret, QStringLiteral("station-bench"), QStringLiteral("admin"), 3600);

    // The index must hold every file (the catalog scans in the background).
    {
        SyncClient check;
        qint64 total = -1;
        if (check.open(url, 3000)) {
            const auto auth = check.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString::fromLatin1(token)}}, 3000);
            if (!auth || auth->contains(QLatin1String("error"))) {
                std::fprintf(stderr, "station_bench: authenticate failed: %s\n",
                             auth ? QJsonDocument(*auth).toJson(QJsonDocument::Compact).constData() : "timeout");
                return 2;
            }
            const auto list = check.call(QStringLiteral("list_recordings"), {{QStringLiteral("limit"), 1}}, 10000);
            if (list)
                total = list->value(QLatin1String("result")).toObject().value(QLatin1String("total")).toInteger(-1);
        }
        check.close();
        if (total != fileCount)
            notes << QStringLiteral("WARNING: list_recordings reports total=%1, expected %2").arg(total).arg(fileCount);
        else
            say(QStringLiteral("list_recordings total = %1 (index complete)").arg(total));
    }

    // RSS idle: no connections, index built, after a short settle.
    sleepMs(1500);
    const qint64 rssIdleKb = server.rssKb();
    say(QStringLiteral("server RSS idle: %1").arg(mb(rssIdleKb)));
    rows << Row{QStringLiteral("server RSS idle"), QStringLiteral("0"), QStringLiteral("-"), QStringLiteral("-"), mb(rssIdleKb),
                QStringLiteral("-"), QStringLiteral("<= 60 MB"), rssIdleKb >= 0 && rssIdleKb <= 60 * 1024 ? QStringLiteral("yes") : QStringLiteral("NO")};

    // 4. Client threads.
    Workers w;
    for (int i = 0; i < threadCount; ++i) {
        auto *th = new QThread;
        th->setObjectName(QStringLiteral("bench-client-%1").arg(i));
        auto *worker = new ClientWorker(i, url, token);
        worker->moveToThread(th);
        QObject::connect(th, &QThread::finished, worker, &QObject::deleteLater);
        th->start();
        w.threads << th;
        w.workers << worker;
    }

    // RSS sampling while the largest connection count is open.
    qint64 rssPeakKb = -1;
    bool samplePeak = false;
    QTimer rssSampler;
    rssSampler.setInterval(200);
    QObject::connect(&rssSampler, &QTimer::timeout, [&] {
        if (samplePeak)
            rssPeakKb = std::max(rssPeakKb, server.rssKb());
    });
    rssSampler.start();

    const QStringList topics{QStringLiteral("system.health"), QStringLiteral("system.shutdown")};
    int opened = 0;
    int phase = 0;
    qint64 rssOpenKb = -1, rssAfterLoadKb = -1;
    bool aborted = false;
    for (int n : counts) {
        if (aborted)
            break;
        const int more = n - opened;
        QElapsedTimer openTimer;
        openTimer.start();
        for (int i = 0; i < threadCount; ++i) {
            const int share = more / threadCount + (i < more % threadCount ? 1 : 0);
            if (share > 0)
                w.post(i, [&w, i, share, topics] { w.workers[i]->openConnections(share, topics, 32); });
        }
        opened = n;
        waitUntil([&] { return w.ready() + w.failed() >= n || !server.isRunning(); }, 60000, 10);
        say(QStringLiteral("N=%1: %2 connections authenticated and subscribed in %3 ms (%4 failed)")
                .arg(n).arg(w.ready()).arg(openTimer.elapsed()).arg(w.failed()));
        if (w.failed() > 0) {
            QString why;
            for (ClientWorker *cw : std::as_const(w.workers))
                w.run(int(w.workers.indexOf(cw)), [&why, cw] { if (!cw->lastFailure.isEmpty()) why = cw->lastFailure; });
            notes << QStringLiteral("N=%1: %2 connections failed (last reason: %3)").arg(n).arg(w.failed()).arg(why);
        }
        if (!server.isRunning()) {
            notes << QStringLiteral("the server exited during the run; log tail:\n") + server.logTail(20);
            aborted = true;
            break;
        }
        const int live = w.ready() - w.disconnected();
        if (n == maxConns) {
            sleepMs(500);
            rssOpenKb = server.rssKb();
            rssPeakKb = rssOpenKb;
            samplePeak = true;
        }

        for (const QString &method : methods) {
            ++phase;
            const bool listing = method == QLatin1String("list_recordings");
            const QByteArray params = listing ? QByteArrayLiteral("{\"limit\":50}") : QByteArrayLiteral("{}");
            const double methodRate = listing ? listRate : rate;
            const qint64 begin = monoNs() + 50'000'000;  // every thread starts on the same instant
            const qint64 durNs = qint64(durationS * 1e9);
            const double srvCpu0 = processCpuSeconds(server.pid());
            const double selfCpu0 = selfCpuSeconds();
            const double machine0 = machineBusySeconds();
            for (int i = 0; i < threadCount; ++i) {
                const int ph = phase;
                w.post(i, [&w, i, ph, method, params, begin, durNs, methodRate, maxOutstanding] {
                    w.workers[i]->startPhase(ph, method, params, begin, durNs, methodRate, maxOutstanding);
                });
            }
            waitUntil([&] { return monoNs() >= begin + durNs; }, qint64(durationS * 1000) + 1000, 20);
            const double srvCpu = processCpuSeconds(server.pid()) - srvCpu0;
            const double selfCpu = selfCpuSeconds() - selfCpu0;
            const double others = machineBusySeconds() - machine0 - srvCpu - selfCpu;
            QElapsedTimer drain;
            drain.start();
            const int ph = phase;
            waitUntil([&] { return w.pending(ph) == 0; }, qint64(drainS * 1000), 25);
            PhaseResult r;
            for (int i = 0; i < threadCount; ++i) {
                PhaseResult part;
                w.run(i, [&part, &w, i, ph] { part = w.workers[i]->takePhaseResult(ph); });
                r.merge(part);
            }
            const Summary s = summarize(r.latenciesNs);
            const double tput = double(r.inWindow) / durationS;
            const double expected = double(live) * methodRate;
            const double targetMs = method == QLatin1String("list_recordings") ? 20.0 : 5.0;
            const bool clean = r.errors == 0 && r.timeouts == 0 && r.skipped == 0;
            const bool met = s.count > 0 && s.p99Ms <= targetMs && clean && tput >= 0.95 * expected;
            const QString label = method == QLatin1String("list_recordings") ? QStringLiteral("list_recordings (limit 50)") : method;
            rows << Row{label, QString::number(live), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs),
                        QStringLiteral("%1/s of %2/s").arg(tput, 0, 'f', 0).arg(expected, 0, 'f', 0),
                        QStringLiteral("p99 <= %1 ms").arg(targetMs, 0, 'f', 0), met ? QStringLiteral("yes") : QStringLiteral("NO")};
            if (listing && r.ok > 0) {
                // Server CPU (user + system, loop and kernel included) over the phase, per answer.
                const double usPerCall = srvCpu * 1e6 / double(r.ok);
                rows << Row{QStringLiteral("list_recordings server CPU per call"), QString::number(live), QStringLiteral("-"), QStringLiteral("-"),
                            QStringLiteral("%1 us").arg(usPerCall, 0, 'f', 0), QStringLiteral("%1 calls; whole process, kernel included").arg(r.ok),
                            QStringLiteral("<= 50 us"), usPerCall <= 50 ? QStringLiteral("yes") : QStringLiteral("NO")};
            }
            QStringList codes;
            for (auto it = r.errorCodes.cbegin(); it != r.errorCodes.cend(); ++it)
                codes << QStringLiteral("%1x%2").arg(it.value()).arg(it.key());
            const QString detail = QStringLiteral("%1 N=%2: sent %3, ok %4, errors %5%6, timeouts %7, skipped (>%8 outstanding) %9; "
                                                  "client sends >5 ms late %10 (max lag %11); CPU over the %12 s (100% = one CPU): server %13%, bench %14%, rest of machine %15%; drain %16 ms")
                                       .arg(label).arg(live).arg(r.sent).arg(r.ok).arg(r.errors)
                                       .arg(codes.isEmpty() ? QString() : QStringLiteral(" [") + codes.join(QLatin1Char(' ')) + QLatin1Char(']'))
                                       .arg(r.timeouts).arg(maxOutstanding).arg(r.skipped).arg(r.lateSends)
                                       .arg(ms(double(r.maxSendLagNs) / 1e6)).arg(durationS)
                                       .arg(100.0 * srvCpu / durationS, 0, 'f', 0).arg(100.0 * selfCpu / durationS, 0, 'f', 0)
                                       .arg(100.0 * std::max(0.0, others) / durationS, 0, 'f', 0)
                                       .arg(drain.elapsed());
            say(detail);
            notes << detail;
            sleepMs(300);
        }
        if (n == maxConns) {
            rssAfterLoadKb = server.rssKb();
            samplePeak = false;
        }
    }

    if (rssOpenKb >= 0) {
        rows << Row{QStringLiteral("server RSS, conns open (before load)"), QString::number(maxConns), QStringLiteral("-"), QStringLiteral("-"),
                    mb(rssOpenKb), QStringLiteral("-"), QStringLiteral("<= 150 MB"), rssOpenKb <= 150 * 1024 ? QStringLiteral("yes") : QStringLiteral("NO")};
        rows << Row{QStringLiteral("server RSS, conns open (after load)"), QString::number(maxConns), QStringLiteral("-"), QStringLiteral("-"),
                    mb(rssAfterLoadKb), QStringLiteral("-"), QStringLiteral("<= 150 MB"), rssAfterLoadKb >= 0 && rssAfterLoadKb <= 150 * 1024 ? QStringLiteral("yes") : QStringLiteral("NO")};
        rows << Row{QStringLiteral("server RSS, conns open (peak in load)"), QString::number(maxConns), QStringLiteral("-"), QStringLiteral("-"),
                    mb(rssPeakKb), QStringLiteral("-"), QStringLiteral("<= 150 MB"), rssPeakKb >= 0 && rssPeakKb <= 150 * 1024 ? QStringLiteral("yes") : QStringLiteral("NO")};
    }

    // 5a. Fan-out of a real notification: system.health (admin topic). The
    // HealthMonitor re-evaluates every second; the storage component turns
    // ERROR when a capture folder is not a writable directory, and RUNNING
    // again when it is back. Moving the (empty) snapshots folder aside and
    // back is that change, with no effect on anything measured here.
    // Latency: client receipt (wall clock) minus the event's own `timestamp`
    // (set by EventBus::publish right before delivery; millisecond resolution,
    // so each sample may read up to 1 ms high).
    const int live = aborted ? 0 : w.ready() - w.disconnected();
    if (live > 0 && fanoutRounds > 0) {
        // Let any backlog from the load phases finish first.
        sleepMs(1500);
        w.notifications();  // drop anything earlier
        const QString snapDir = dataDir + QStringLiteral("/snapshots");
        const QString awayDir = dataDir + QStringLiteral("/snapshots.bench-away");
        int expected = w.healthSeen();
        int events = 0;
        bool triggerOk = true;
        for (int round = 0; round < fanoutRounds * 2 && triggerOk; ++round) {
            const bool away = round % 2 == 0;
            triggerOk = away ? QDir().rename(snapDir, awayDir) : QDir().rename(awayDir, snapDir);
            if (!triggerOk && !away && QDir(snapDir).exists()) {  // recreated meanwhile: put ours back
                QDir(snapDir).removeRecursively();
                triggerOk = QDir().rename(awayDir, snapDir);
            }
            if (!triggerOk) {
                notes << QStringLiteral("fan-out: could not move %1 (round %2)").arg(away ? snapDir : awayDir).arg(round);
                break;
            }
            expected += live;
            ++events;
            waitUntil([&] { return w.healthSeen() >= expected; }, 3000, 10);
            expected = std::max(expected, w.healthSeen());
            sleepMs(100);
        }
        if (!QDir(snapDir).exists() && QDir(awayDir).exists())
            QDir().rename(awayDir, snapDir);
        const QList<Received> got = w.notifications();
        std::vector<qint64> lat, spread;
        QHash<QString, qint64> firstRecv;
        QHash<QString, int> perEvent;
        for (const Received &rcv : got) {
            const QJsonObject o = QJsonDocument::fromJson(rcv.text.toUtf8()).object();
            if (o.value(QLatin1String("method")).toString() != QLatin1String("system.health"))
                continue;
            const QString ts = o.value(QLatin1String("params")).toObject().value(QLatin1String("timestamp")).toString();
            const QDateTime when = QDateTime::fromString(ts, Qt::ISODateWithMs);
            if (!when.isValid())
                continue;
            lat.push_back(rcv.recvWallNs - when.toMSecsSinceEpoch() * 1'000'000);
            perEvent[ts] += 1;
            auto it = firstRecv.find(ts);
            if (it == firstRecv.end() || rcv.recvMonoNs < *it)
                firstRecv[ts] = rcv.recvMonoNs;
        }
        for (const Received &rcv : got) {
            const QJsonObject o = QJsonDocument::fromJson(rcv.text.toUtf8()).object();
            const QString ts = o.value(QLatin1String("params")).toObject().value(QLatin1String("timestamp")).toString();
            if (firstRecv.contains(ts) && o.value(QLatin1String("method")).toString() == QLatin1String("system.health"))
                spread.push_back(rcv.recvMonoNs - firstRecv.value(ts));
        }
        const Summary s = summarize(lat);
        const Summary sp = summarize(spread);
        const qint64 want = qint64(live) * perEvent.size();
        const bool complete = perEvent.size() == events && qint64(lat.size()) == want;
        rows << Row{QStringLiteral("fan-out system.health (publish->recv)"), QString::number(live), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs),
                    QStringLiteral("%1/%2 recv, %3 events").arg(lat.size()).arg(qint64(live) * events).arg(perEvent.size()),
                    QStringLiteral("p99 <= 20 ms"), s.count > 0 && s.p99Ms <= 20 && complete ? QStringLiteral("yes") : QStringLiteral("NO")};
        notes << QStringLiteral("fan-out system.health: %1 events x %2 clients; spread after the first client's receipt p50 %3, p99 %4, max %5")
                     .arg(perEvent.size()).arg(live).arg(ms(sp.p50Ms), ms(sp.p99Ms), ms(sp.maxMs));
    }

    // 5b. Fan-out of system.shutdown: SIGTERM to the server; latency from the
    // kill() call to each client's receipt (same monotonic clock).
    if (server.isRunning()) {
        const int liveNow = aborted ? 0 : w.ready() - w.disconnected();
        w.notifications();
        const int before = w.shutdownSeen();
        const qint64 killNs = monoNs();
        server.sendSigterm();
        if (liveNow > 0)
            waitUntil([&] { return w.shutdownSeen() - before >= liveNow || w.disconnected() >= w.ready(); }, 5000, 5);
        const bool exited = server.waitExit(15000);
        const qint64 exitMs = (monoNs() - killNs) / 1'000'000;
        if (liveNow > 0) {
            std::vector<qint64> lat;
            for (const Received &rcv : w.notifications()) {
                if (rcv.text.contains(QLatin1String("\"method\":\"system.shutdown\"")))
                    lat.push_back(rcv.recvMonoNs - killNs);
            }
            const Summary s = summarize(lat);
            rows << Row{QStringLiteral("fan-out system.shutdown (kill->recv)"), QString::number(liveNow), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs),
                        QStringLiteral("%1/%2 recv").arg(lat.size()).arg(liveNow), QStringLiteral("p99 <= 20 ms"),
                        s.count > 0 && s.p99Ms <= 20 && qint64(lat.size()) == liveNow ? QStringLiteral("yes") : QStringLiteral("NO")};
        }
        notes << (exited ? QStringLiteral("server exited with code %1 %2 ms after SIGTERM").arg(server.exitCode()).arg(exitMs)
                         : QStringLiteral("server did not exit within 15 s of SIGTERM; killed"));
    }
    server.stop();
    w.shutdown();

    say(QString());
    say(QStringLiteral("== camera-station API benchmark, %1 (%2 files, %3 s per phase at %4 req/s per connection, %5 client threads) ==")
            .arg(QDateTime::currentDateTime().toString(Qt::ISODate)).arg(fileCount).arg(durationS).arg(rate).arg(threadCount));
    // What the v1 service published for the same figures (it gave no
    // percentile: "< 50 ms status calls", "1000 connections", "< 60 MB").
    for (Row &r : rows) {
        if (r.metric == QLatin1String("ping") || r.metric == QLatin1String("get_camera_list") || r.metric.startsWith(QLatin1String("list_recordings")))
            r.v1 = r.n == QLatin1String("1000") ? QStringLiteral("< 50 ms (status call), 1000 conns") : QStringLiteral("< 50 ms (status call)");
        else if (r.metric.startsWith(QLatin1String("server RSS")))
            r.v1 = QStringLiteral("< 60 MB");
        else if (r.metric.startsWith(QLatin1String("fan-out")) && r.n == QLatin1String("1000"))
            r.v1 = QStringLiteral("1000 conns");
    }
    printTable(rows);
    appendResults(resultsFile, QStringLiteral("api"), rows);
    say(QString());
    for (const QString &n : std::as_const(notes))
        say(QStringLiteral("- ") + n);
    say(QStringLiteral("- total run time %1 s").arg(double(wholeRun.elapsed()) / 1000.0, 0, 'f', 1));
    for (const QString &n : std::as_const(notes))
        appendResults(resultsFile, QStringLiteral("note"), {Row{QStringLiteral("api: ") + n, {}, {}, {}, {}, {}, {}, {}}});
    return 0;
}
