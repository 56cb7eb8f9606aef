// station_bench --mode peer: the station against the server a user would
// write instead, in the same run on the same machine. The peer is a plain
// Node.js server on the `ws` package (bench/peer/ws-peer.js) answering the
// same calls. Rounds alternate station, peer, station, peer, ...; each round
// starts its server, opens N authenticated connections, loads each method at
// --rate calls/s per connection for --duration seconds, and stops it.
// Rows: each side's p50/p99 over all its rounds' samples, the p99 ratio
// (station / peer; target <= 1.00), the station's longest event-loop stall
// during its rounds (its own gauge, read from /metrics on the health port),
// and each side's CPU and RSS.

#include "BenchClock.h"
#include "ClientWorker.h"
#include "Common.h"
#include "Modes.h"
#include "ServerProcess.h"
#include "Stats.h"
#include "Workers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <map>

namespace bench {

namespace {

struct Side {
    QString name;
    std::map<QString, std::vector<qint64>> samples;  // per method, all rounds
    std::map<QString, QList<double>> roundP99;       // per method, one p99 per round
    std::map<QString, double> cpuPercent;            // per method, mean over rounds
    qint64 errors = 0, timeouts = 0, skipped = 0, failedConns = 0;
    qint64 rssPeakKb = -1;
    double stallMaxMs = -1;
};

// Reads the station's longest event-loop stall of the last 60 s from its
// health port (the gauge camera_station_event_loop_stall_seconds).
double stallMs(quint16 healthPort)
{
    QByteArray body;
    if (httpGetStatus(healthPort, "/metrics", 3000, &body) != 200)
        return -1;
    static const QRegularExpression re(QStringLiteral("^camera_station_event_loop_stall_seconds ([0-9.eE+-]+)$"),
                                       QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(body));
    return m.hasMatch() ? m.captured(1).toDouble() * 1000.0 : -1;
}

struct RoundSetup {
    QUrl url;
    QByteArray token;
    int connections = 0;
    QStringList methods;
    double rate = 10, durationS = 10, drainS = 5;
    int threads = 2, maxOutstanding = 10;
    quint16 healthPort = 0;  // station only: its stall gauge
};

// One round against a running server (pid): open, load each method, close.
bool loadRound(const RoundSetup &r, qint64 pid, ServerProcess &proc, Side &side, int *phaseCounter)
{
    Workers w;
    for (int i = 0; i < r.threads; ++i) {
        auto *th = new QThread;
        auto *worker = new ClientWorker(i, r.url, r.token);
        worker->moveToThread(th);
        QObject::connect(th, &QThread::finished, worker, &QObject::deleteLater);
        th->start();
        w.threads << th;
        w.workers << worker;
    }
    const QStringList topics{QStringLiteral("system.health"), QStringLiteral("system.shutdown")};
    for (int i = 0; i < r.threads; ++i) {
        const int share = r.connections / r.threads + (i < r.connections % r.threads ? 1 : 0);
        w.post(i, [&w, i, share, topics] { w.workers[i]->openConnections(share, topics, 32); });
    }
    waitUntil([&] { return w.ready() + w.failed() >= r.connections || !proc.isRunning(); }, 60000, 10);
    side.failedConns += w.failed();
    say(QStringLiteral("  %1: %2 connections ready (%3 failed)").arg(side.name).arg(w.ready()).arg(w.failed()));
    bool ok = proc.isRunning() && w.ready() > 0;
    for (const QString &method : r.methods) {
        if (!ok)
            break;
        const int ph = ++*phaseCounter;
        const qint64 begin = monoNs() + 50'000'000;
        const qint64 durNs = qint64(r.durationS * 1e9);
        const double cpu0 = processCpuSeconds(pid);
        for (int i = 0; i < r.threads; ++i)
            w.post(i, [&w, i, ph, method, begin, durNs, r] {
                w.workers[i]->startPhase(ph, method, QByteArrayLiteral("{}"), begin, durNs, r.rate, r.maxOutstanding);
            });
        while (monoNs() < begin + durNs) {
            sleepMs(200);
            side.rssPeakKb = std::max(side.rssPeakKb, rssKbOf(pid));
        }
        const double cpu = processCpuSeconds(pid) - cpu0;
        waitUntil([&] { return w.pending(ph) == 0; }, qint64(r.drainS * 1000), 25);
        PhaseResult res;
        for (int i = 0; i < r.threads; ++i) {
            PhaseResult part;
            w.run(i, [&part, &w, i, ph] { part = w.workers[i]->takePhaseResult(ph); });
            res.merge(part);
        }
        const Summary s = summarize(res.latenciesNs);
        auto &all = side.samples[method];
        all.insert(all.end(), res.latenciesNs.begin(), res.latenciesNs.end());
        side.roundP99[method] << s.p99Ms;
        side.cpuPercent[method] += 100.0 * cpu / r.durationS;
        side.errors += res.errors;
        side.timeouts += res.timeouts;
        side.skipped += res.skipped;
        say(QStringLiteral("  %1 %2: p50 %3 p99 %4 max %5, %6 ok, %7 errors, %8 timeouts, server CPU %9%")
                .arg(side.name, method, ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs)).arg(res.ok).arg(res.errors).arg(res.timeouts)
                .arg(100.0 * cpu / r.durationS, 0, 'f', 0));
        sleepMs(300);
    }
    if (r.healthPort != 0)
        side.stallMaxMs = std::max(side.stallMaxMs, stallMs(r.healthPort));
    w.shutdown();
    return ok;
}

} // namespace

int runPeer(const QCommandLineParser &parser)
{
    const QString serverBin = parser.value(QStringLiteral("server"));
    const QString dataDir = parser.value(QStringLiteral("data-dir"));
    const QString peerScript = parser.value(QStringLiteral("peer-script"));
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty() || !QFileInfo::exists(QFileInfo(peerScript).dir().filePath(QStringLiteral("node_modules/ws/package.json")))) {
        say(QStringLiteral("peer: node or the ws package is missing (run bench/peer/install.sh); no comparison"));
        appendResults(parser.value(QStringLiteral("results")), QStringLiteral("note"),
                      {Row{QStringLiteral("peer: not measured: node or bench/peer/node_modules/ws missing (bench/peer/install.sh)"), {}, {}, {}, {}, {}, {}, {}}});
        return 0;
    }
    RoundSetup setup;
    setup.connections = parser.value(QStringLiteral("connections")).split(QLatin1Char(',')).last().toInt();
    setup.methods = QStringList{QStringLiteral("ping"), QStringLiteral("get_camera_list")};
    setup.rate = parser.value(QStringLiteral("rate")).toDouble();
    setup.durationS = parser.value(QStringLiteral("duration")).toDouble();
    setup.drainS = parser.value(QStringLiteral("drain")).toDouble();
    setup.threads = std::max(1, parser.value(QStringLiteral("threads")).toInt());
    setup.maxOutstanding = std::max(1, parser.value(QStringLiteral("max-outstanding")).toInt());
    const int rounds = std::max(1, parser.value(QStringLiteral("rounds")).toInt());

    Side station, peer;
    station.name = QStringLiteral("station");
    peer.name = QStringLiteral("peer");
    int phaseCounter = 0;
    for (int round = 0; round < rounds * 2; ++round) {
        const bool isStation = round % 2 == 0;
        Side &side = isStation ? station : peer;
        const QList<quint16> ports = freePorts(2);
        if (ports.size() != 2)
            return 2;
        const QByteArray secret = randomSecret(48);
        QStringList args;
        QString bin;
        if (isStation) {
            bin = serverBin;
            const QString dir = dataDir + QStringLiteral("/round%1").arg(round);
            QDir().mkpath(dir);
            args = QStringList{QStringLiteral("--headless"), QStringLiteral("--data-dir"), dir, QStringLiteral("--config"), QStringLiteral("/dev/null")};
            // The same overrides as the API run: loopback, room for N clients from one address.
            const QStringList kv{QStringLiteral("server.host=127.0.0.1"), QStringLiteral("server.port=%1").arg(ports[0]),
                                 QStringLiteral("health.host=127.0.0.1"), QStringLiteral("health.port=%1").arg(ports[1]),
                                 QStringLiteral("server.max_connections=%1").arg(setup.connections + setup.connections / 10 + 10),
                                 QStringLiteral("security.rate_limit.per_second=1000"), QStringLiteral("security.rate_limit.burst=2000"),
                                 QStringLiteral("security.rate_limit.per_address_per_second=1000000"),
                                 QStringLiteral("security.rate_limit.per_address_burst=1000000"),
                                 QStringLiteral("server.max_connections_per_address=0"),
                                 QStringLiteral("security.jwt_secret=") + QString::fromLatin1(secret),
                                 QStringLiteral("mediamtx.binary=/nonexistent")};
            for (const QString &k : kv)
                args << QStringLiteral("--set") << k;
        } else {
            bin = node;
            args = QStringList{peerScript, QStringLiteral("--port"), QString::number(ports[0]), QStringLiteral("--secret"), QString::fromLatin1(secret)};
        }
        ServerProcess proc(bin, args, dataDir + QStringLiteral("/round%1.log").arg(round));
        QString error;
        if (!proc.start(&error)) {
            say(QStringLiteral("peer mode: cannot start %1: %2").arg(bin, error));
            return 2;
        }
        setup.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(ports[0]));
        setup.token = signJwt(secret, QStringLiteral("station-bench"), QStringLiteral("viewer"), 3600);
        setup.healthPort = isStation ? ports[1] : 0;
        const bool up = waitUntil([&] {
            SyncClient probe;
            const bool ok = probe.open(setup.url, 500) && probe.call(QStringLiteral("ping"), {}, 1000).has_value();
            probe.close();
            return ok || !proc.isRunning();
        }, 10000, 20);
        say(QStringLiteral("round %1: %2 (pid %3)").arg(round + 1).arg(side.name).arg(proc.pid()));
        if (!up || !proc.isRunning()) {
            say(QStringLiteral("peer mode: %1 did not answer ping; log tail:\n%2").arg(side.name, proc.logTail(20)));
            return 2;
        }
        loadRound(setup, proc.pid(), proc, side, &phaseCounter);
        proc.stop();
        sleepMs(500);
    }

    QList<Row> rows;
    const QString n = QString::number(setup.connections);
    for (const QString &method : std::as_const(setup.methods)) {
        const Summary a = summarize(station.samples[method]);
        const Summary b = summarize(peer.samples[method]);
        const double ratio = b.p99Ms > 0 ? a.p99Ms / b.p99Ms : 0;
        auto rounds = [](const QList<double> &l) {
            QStringList s;
            for (double v : l)
                s << ms(v);
            return s.join(QLatin1String(", "));
        };
        auto detail = [&rounds, &method](Side &side) {
            const QList<double> &p99s = side.roundP99[method];
            return QStringLiteral("p99 per round %1; server CPU %2% of one core")
                .arg(rounds(p99s)).arg(side.cpuPercent[method] / double(std::max<qsizetype>(1, p99s.size())), 0, 'f', 0);
        };
        rows << Row{method + QStringLiteral(": station"), n, ms(a.p50Ms), ms(a.p99Ms), ms(a.maxMs), detail(station), QStringLiteral("-"), QStringLiteral("-")};
        rows << Row{method + QStringLiteral(": Node.js ws peer"), n, ms(b.p50Ms), ms(b.p99Ms), ms(b.maxMs),
                    detail(peer), QStringLiteral("-"), QStringLiteral("-")};
        rows << Row{method + QStringLiteral(": p99 station / peer"), n, QStringLiteral("-"), QStringLiteral("-"),
                    QString::number(ratio, 'f', 2), QStringLiteral("%1 rounds each, alternated").arg(station.roundP99[method].size()),
                    QStringLiteral("<= 1.00"), yesNo(a.count > 0 && b.count > 0 && ratio <= 1.0)};
    }
    rows << Row{QStringLiteral("longest event-loop stall (station rounds)"), n, QStringLiteral("-"), QStringLiteral("-"),
                station.stallMaxMs >= 0 ? ms(station.stallMaxMs) : QStringLiteral("?"), QStringLiteral("its own gauge, last 60 s of each round"),
                QStringLiteral("<= 20 ms"), yesNo(station.stallMaxMs >= 0 && station.stallMaxMs <= 20)};
    rows << Row{QStringLiteral("RSS peak during load: station / peer"), n, QStringLiteral("-"), QStringLiteral("-"),
                QStringLiteral("%1 / %2").arg(mb(station.rssPeakKb), mb(peer.rssPeakKb)), QStringLiteral("-"),
                QStringLiteral("station <= 100 MB"), yesNo(station.rssPeakKb > 0 && station.rssPeakKb <= 100 * 1024)};
    printTable(rows);
    appendResults(parser.value(QStringLiteral("results")), QStringLiteral("peer"), rows);
    const QString errs = QStringLiteral("peer mode: station errors %1, timeouts %2, skipped %3, failed connections %4; peer errors %5, timeouts %6, skipped %7, failed connections %8")
                             .arg(station.errors).arg(station.timeouts).arg(station.skipped).arg(station.failedConns)
                             .arg(peer.errors).arg(peer.timeouts).arg(peer.skipped).arg(peer.failedConns);
    say(errs);
    appendResults(parser.value(QStringLiteral("results")), QStringLiteral("note"), {Row{errs, {}, {}, {}, {}, {}, {}, {}}});
    return 0;
}

} // namespace bench
