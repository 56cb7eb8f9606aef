#include "cameras/ExternalDiscovery.h"

#include "config/Config.h"
#include "cameras/RtspProbe.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QUrl>

#include <memory>

Q_LOGGING_CATEGORY(lcDiscovery, "station.discovery")

namespace station::cameras {

namespace {
constexpr int kConcurrency = 32;
constexpr int kProbeTimeoutMs = 1500;
} // namespace

ExternalDiscovery::ExternalDiscovery(const config::Config &config, QObject *parent) : QObject(parent), m_config(config)
{
    m_intervalS = config.integer(QStringLiteral("external_discovery.scan_interval_s"));
    loadState();
    connect(&m_periodic, &QTimer::timeout, this, [this] {
        ScanOptions o;
        o.generic = true;
        o.forceRescan = true;
        scan(o, [](const ScanResult &) {});
    });
    if (enabled() && m_intervalS > 0)
        m_periodic.start(int(m_intervalS * 1000));
}

bool ExternalDiscovery::enabled() const
{
    return m_config.boolean(QStringLiteral("external_discovery.enabled"));
}

void ExternalDiscovery::loadState()
{
    QFile f(m_config.stateDir() + QStringLiteral("/external_discovery.json"));
    if (!f.open(QIODevice::ReadOnly))
        return;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    if (o.value(QLatin1String("scan_interval")).isDouble())
        m_intervalS = qint64(o.value(QLatin1String("scan_interval")).toDouble());
}

bool ExternalDiscovery::setScanInterval(qint64 seconds, QString *error)
{
    QDir().mkpath(m_config.stateDir());
    QSaveFile f(m_config.stateDir() + QStringLiteral("/external_discovery.json"));
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return false;
    }
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("scan_interval"), seconds}}).toJson());
    if (!f.commit()) {
        *error = f.errorString();
        return false;
    }
    m_intervalS = seconds;
    m_periodic.stop();
    if (enabled() && seconds > 0)
        m_periodic.start(int(seconds * 1000));  // the next scan is rescheduled from now
    return true;
}

QList<ExternalDiscovery::Target> ExternalDiscovery::targets(const ScanOptions &options, QStringList *errors) const
{
    QList<Target> list;
    const int maxHosts = m_config.integer32(QStringLiteral("external_discovery.max_hosts"));
    if (options.skydio) {
        const QString subnet = m_config.string(QStringLiteral("external_discovery.skydio_subnet"));
        const QPair<QHostAddress, int> net = QHostAddress::parseSubnet(subnet);
        if (net.first.protocol() != QAbstractSocket::IPv4Protocol || net.second < 16) {
            *errors << QStringLiteral("external_discovery.skydio_subnet '%1' is not an IPv4 subnet of /16 or smaller").arg(subnet);
        } else {
            const quint32 base = net.first.toIPv4Address() & (net.second == 0 ? 0 : ~quint32(0) << (32 - net.second));
            const quint32 count = net.second >= 31 ? (quint32(1) << (32 - net.second)) : (quint32(1) << (32 - net.second)) - 2;
            const quint32 first = net.second >= 31 ? base : base + 1;  // skip network and broadcast addresses
            for (quint32 i = 0; i < count && int(list.size() / 2) < maxHosts; ++i) {
                const QString host = QHostAddress(first + i).toString();
                list << Target{host, 5554, QStringLiteral("/subject"), QStringLiteral("skydio_stanag4609"), QStringLiteral("eo")};
                list << Target{host, 6554, QStringLiteral("/infrared"), QStringLiteral("skydio_stanag4609"), QStringLiteral("ir")};
            }
        }
    }
    if (options.generic) {
        for (const QString &entry : m_config.stringList(QStringLiteral("external_discovery.generic_targets"))) {
            const QUrl u(QStringLiteral("rtsp://") + entry);
            if (!u.isValid() || u.host().isEmpty() || u.port() <= 0) {
                *errors << QStringLiteral("generic target '%1' is not host:port/path").arg(entry);
                continue;
            }
            list << Target{u.host(), quint16(u.port()), u.path().isEmpty() ? QStringLiteral("/") : u.path(), QStringLiteral("generic_rtsp"), QString()};
        }
    }
    return list;
}

void ExternalDiscovery::scan(const ScanOptions &options, std::function<void(const ScanResult &)> done)
{
    const bool fresh = m_lastScan.isValid() && m_intervalS > 0 && m_lastScan.secsTo(QDateTime::currentDateTimeUtc()) < m_intervalS;
    if (!m_scanning && !options.forceRescan && fresh) {
        ScanResult cached = m_last;
        if (!options.includeOffline)
            cached.streams.removeIf([](const ExternalStream &s) { return s.status != QLatin1String("DISCOVERED"); });
        done(cached);
        return;
    }
    const bool includeOffline = options.includeOffline;
    m_waiting << [done, includeOffline](const ScanResult &r) {
        ScanResult out = r;
        if (!includeOffline)
            out.streams.removeIf([](const ExternalStream &s) { return s.status != QLatin1String("DISCOVERED"); });
        done(out);
    };
    if (!m_scanning)
        runScan(options);
}

void ExternalDiscovery::runScan(const ScanOptions &options)
{
    m_scanning = true;
    auto state = std::make_shared<ScanResult>();
    const QList<Target> all = targets(options, &state->errors);
    auto queue = std::make_shared<QList<Target>>(all);
    auto running = std::make_shared<int>(0);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    const qint64 deadlineMs = m_config.integer(QStringLiteral("external_discovery.scan_timeout_s")) * 1000;
    auto seen = std::make_shared<QSet<QString>>();
    auto finished = std::make_shared<bool>(false);

    // The member holds the launcher; probes hold it weakly, so nothing keeps
    // itself alive once the scan is over and the next scan replaces it.
    if (m_launcher)  // it may be the caller's own frame: release it after this call
        QTimer::singleShot(0, this, [old = std::move(m_launcher)] {});
    m_launcher = std::make_shared<std::function<void()>>();
    const std::weak_ptr<std::function<void()>> launchMore = m_launcher;
    auto complete = [this, state, clock, finished, seen, options] {
        if (*finished)
            return;
        *finished = true;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (auto it = m_streams.begin(); it != m_streams.end(); ++it) {
            const bool inScope = (options.skydio && it->type == QLatin1String("skydio_stanag4609"))
                              || (options.generic && it->type == QLatin1String("generic_rtsp"));
            if (inScope && !seen->contains(it.key()))
                it->status = QStringLiteral("ERROR");
            state->streams << *it;
        }
        state->timestamp = now;
        state->durationSeconds = double(clock->elapsed()) / 1000.0;
        m_last = *state;
        m_lastScan = now;
        m_scanning = false;
        qCInfo(lcDiscovery) << "scan done:" << seen->size() << "streams in" << state->durationSeconds << "s";
        const auto waiting = std::exchange(m_waiting, {});
        for (const auto &w : waiting)
            w(*state);
    };

    *m_launcher = [this, queue, running, clock, deadlineMs, state, seen, complete, launchMore, finished] {
        if (*finished)
            return;
        while (*running < kConcurrency && !queue->isEmpty() && clock->elapsed() < deadlineMs) {
            const Target t = queue->takeFirst();
            ++*running;
            const int timeout = int(std::min<qint64>(kProbeTimeoutMs, std::max<qint64>(100, deadlineMs - clock->elapsed())));
            RtspProbe::probe(t.host, t.port, t.path, timeout, this, [this, t, running, state, seen, launchMore](const RtspProbe::Result &r) {
                --*running;
                const QString url = QStringLiteral("rtsp://%1:%2%3").arg(t.host).arg(t.port).arg(t.path);
                if (r.ok) {
                    const QDateTime now = QDateTime::currentDateTimeUtc();
                    ExternalStream &s = m_streams[url];
                    if (!s.discoveredAt.isValid())
                        s.discoveredAt = now;
                    s.url = url;
                    s.type = t.type;
                    s.name = t.type == QLatin1String("skydio_stanag4609")
                        ? QStringLiteral("Skydio %1 %2").arg(t.streamType.toUpper(), t.host)
                        : QStringLiteral("RTSP %1:%2%3").arg(t.host).arg(t.port).arg(t.path);
                    s.status = QStringLiteral("DISCOVERED");
                    s.lastSeen = now;
                    s.codec = r.codec;
                    s.port = t.port;
                    s.streamPath = t.path;
                    s.streamType = t.streamType;
                    seen->insert(url);
                } else if (r.reachable) {
                    state->errors << QStringLiteral("%1:%2: %3").arg(t.host).arg(t.port).arg(r.error);
                }
                if (const auto launch = launchMore.lock())
                    (*launch)();
            });
        }
        if (*running == 0 && (queue->isEmpty() || clock->elapsed() >= deadlineMs))
            complete();
    };
    // The scan's deadline holds even if probes are slow to give up.
    QTimer::singleShot(int(deadlineMs) + 200, this, complete);
    (*m_launcher)();
}

} // namespace station::cameras
