#pragma once

// A camera-station with a MediaMTX (the stand-in by default) on free loopback
// ports, for the media, paths and soak modes of station_bench.

#include "BenchClock.h"
#include "Common.h"
#include "ServerProcess.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QProcessEnvironment>

#include <memory>

namespace bench {

class Station
{
public:
    Station(QString serverBin, QString dataDir, QString mediamtxBin)
        : m_bin(std::move(serverBin)), m_dataDir(std::move(dataDir)), m_mtxBin(std::move(mediamtxBin)),
          m_secret(randomSecret(48))
    {
        const QList<quint16> ports = freePorts(9);
        if (ports.size() == 9) {
            m_port = ports[0];
            m_healthPort = ports[1];
            const char *keys[] = {"api_port", "rtsp_port", "hls_port", "webrtc_port", "webrtc_udp_port", "metrics_port", "playback_port"};
            for (int i = 0; i < 7; ++i)
                m_mtx.insert(QString::fromLatin1(keys[i]), ports[i + 2]);
        }
        m_token = signJwt(m_secret, QStringLiteral("station-bench"), QStringLiteral("admin"), 48 * 3600);
    }

    bool portsOk() const { return m_port != 0; }
    quint16 port() const { return m_port; }
    quint16 healthPort() const { return m_healthPort; }
    quint16 rtspPort() const { return m_mtx.value(QStringLiteral("rtsp_port")); }
    quint16 mtxApiPort() const { return m_mtx.value(QStringLiteral("api_port")); }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)); }
    QByteArray token() const { return m_token; }
    QString dataDir() const { return m_dataDir; }
    ServerProcess *process() const { return m_proc.get(); }
    qint64 pid() const { return m_proc ? m_proc->pid() : 0; }

    // Extra --set key=value overrides (cameras, limits, ...).
    void set(const QString &kv) { m_extra << kv; }

    QStringList args() const
    {
        QStringList a{QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--config"), QStringLiteral("/dev/null")};
        QStringList kv{QStringLiteral("server.host=127.0.0.1"),
                       QStringLiteral("server.port=%1").arg(m_port),
                       QStringLiteral("health.host=127.0.0.1"),
                       QStringLiteral("health.port=%1").arg(m_healthPort),
                       QStringLiteral("security.jwt_secret=") + QString::fromLatin1(m_secret),
                       QStringLiteral("security.rate_limit.per_second=1000"),
                       QStringLiteral("security.rate_limit.burst=2000"),
                       QStringLiteral("security.rate_limit.per_address_per_second=1000000"),
                       QStringLiteral("security.rate_limit.per_address_burst=1000000"),
                       // every client connects from 127.0.0.1: no per-address cap (default 32)
                       QStringLiteral("server.max_connections_per_address=0"),
                       QStringLiteral("mediamtx.binary=") + m_mtxBin};
        for (auto it = m_mtx.cbegin(); it != m_mtx.cend(); ++it)
            kv << QStringLiteral("mediamtx.%1=%2").arg(it.key()).arg(it.value());
        kv << m_extra;
        for (const QString &x : kv)
            a << QStringLiteral("--set") << x;
        return a;
    }

    // Printable command line (secret hidden).
    QString describe() const
    {
        QString s = m_bin;
        for (const QString &x : args())
            s += QLatin1Char(' ') + (x.startsWith(QLatin1String("security.jwt_secret=")) ? QStringLiteral("security.jwt_secret=<random>") : x);
        return s;
    }

    bool start(QString *error)
    {
        m_proc = std::make_unique<ServerProcess>(m_bin, args(), m_dataDir + QStringLiteral("/station-server.log"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
        env.insert(QStringLiteral("STANDIN_AUTH_FAIL_DELAY_S"), QStringLiteral("0"));
        m_proc->setEnvironment(env);
        m_startNs = monoNs();
        return m_proc->start(error);
    }
    qint64 startNs() const { return m_startNs; }

    // Stops the station (SIGTERM; SIGKILL after 12 s). The result says whether
    // anything it started is still running afterwards.
    QList<ProcInfo> stop()
    {
        if (!m_proc)
            return {};
        const qint64 pid = m_proc->pid();
        const QList<ProcInfo> before = pid > 0 ? descendants(pid) : QList<ProcInfo>{};
        m_proc->stop();
        QList<ProcInfo> left;
        sleepMs(300);
        for (const ProcInfo &p : before) {
            const auto now = procInfo(p.pid);
            if (now && now->cmdline == p.cmdline && now->state != 'Z')
                left << *now;
        }
        m_proc.reset();
        return left;
    }

    // Polls the WebSocket port (ping → pong) and /health/ready (200) from the
    // process start; fills the ms of each (or -1 if not within timeoutMs).
    void waitReady(double *pingMs, double *healthMs, qint64 timeoutMs)
    {
        *pingMs = -1;
        *healthMs = -1;
        while (monoNs() - m_startNs < timeoutMs * 1'000'000 && m_proc && m_proc->isRunning()) {
            if (*healthMs < 0 && httpGetStatus(m_healthPort, "/health/ready", 500) == 200)
                *healthMs = double(monoNs() - m_startNs) / 1e6;
            if (*pingMs < 0) {
                SyncClient probe;
                if (probe.open(url(), 500)) {
                    const auto r = probe.call(QStringLiteral("ping"), {}, 1000);
                    if (r && r->value(QLatin1String("result")).toString() == QLatin1String("pong"))
                        *pingMs = double(monoNs() - m_startNs) / 1e6;
                }
                probe.close();
            }
            if (*pingMs >= 0 && *healthMs >= 0)
                return;
            sleepMs(3);
        }
    }

private:
    QString m_bin, m_dataDir, m_mtxBin;
    QByteArray m_secret, m_token;
    quint16 m_port = 0, m_healthPort = 0;
    QMap<QString, quint16> m_mtx;
    QStringList m_extra;
    std::unique_ptr<ServerProcess> m_proc;
    qint64 m_startNs = 0;
};

// An authenticated blocking client with timing.
class Admin
{
public:
    bool open(const Station &st, QString *why)
    {
        if (!m_c.open(st.url(), 5000)) {
            *why = QStringLiteral("cannot connect to %1").arg(st.url().toString());
            return false;
        }
        const auto r = m_c.call(QStringLiteral("authenticate"), {{QStringLiteral("auth_token"), QString::fromLatin1(st.token())}}, 5000);
        if (!r || r->contains(QLatin1String("error"))) {
            *why = QStringLiteral("authenticate failed");
            return false;
        }
        return true;
    }
    // The call's result (or error object under "error"), and its latency in ms.
    QJsonObject call(const QString &method, const QJsonObject &params, double *latencyMs = nullptr, int timeoutMs = 30000)
    {
        const qint64 t0 = monoNs();
        const auto r = m_c.call(method, params, timeoutMs);
        if (latencyMs)
            *latencyMs = double(monoNs() - t0) / 1e6;
        if (!r)
            return {{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), 0}, {QStringLiteral("message"), QStringLiteral("timeout")}}}};
        return *r;
    }
    void close() { m_c.close(); }

private:
    SyncClient m_c;
};

inline QString errorText(const QJsonObject &r)
{
    const QJsonObject e = r.value(QLatin1String("error")).toObject();
    return QStringLiteral("%1 %2 %3").arg(e.value(QLatin1String("code")).toInt()).arg(e.value(QLatin1String("message")).toString(),
                                                                                   QString::fromUtf8(QJsonDocument(e.value(QLatin1String("data")).toObject()).toJson(QJsonDocument::Compact)));
}

inline QString defaultStandin()
{
    return QStringLiteral(STATION_BENCH_STANDIN);
}

} // namespace bench
