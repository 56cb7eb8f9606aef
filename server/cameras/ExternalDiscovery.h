#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace station::config { class Config; }

namespace station::cameras {

// A stream found by probing (API.md §2.11 ExternalStream).
struct ExternalStream {
    QString url;        // without credentials
    QString type;       // skydio_stanag4609 or generic_rtsp
    QString name;
    QString status;     // DISCOVERED or ERROR
    QDateTime discoveredAt;
    QDateTime lastSeen;
    QString codec;
    int port = 0;
    QString streamPath;
    QString streamType; // eo, ir, or "" for generic
};

struct ScanOptions {
    bool skydio = true;
    bool generic = false;
    bool forceRescan = false;
    bool includeOffline = false;
};

struct ScanResult {
    QList<ExternalStream> streams;  // found (and, with includeOffline, previously found ones now ERROR)
    QDateTime timestamp;
    double durationSeconds = 0;
    QStringList errors;
};

// Probes the configured address ranges and ports with RTSP OPTIONS/DESCRIBE
// (external_discovery.*), bounded in host count, concurrency and time.
// Only the configured ranges are ever probed. A call during a scan joins it;
// a recent scan is reused unless forced. Optional periodic scanning.
class ExternalDiscovery : public QObject
{
    Q_OBJECT
public:
    explicit ExternalDiscovery(const config::Config &config, QObject *parent = nullptr);

    bool enabled() const;
    void scan(const ScanOptions &options, std::function<void(const ScanResult &)> done);
    QList<ExternalStream> known() const { return m_streams.values(); }

    qint64 scanInterval() const { return m_intervalS; }
    bool setScanInterval(qint64 seconds, QString *error);  // applies at once, persisted

    // Targets of a scan, exposed for tests: host, port, path, type, stream type.
    struct Target {
        QString host;
        quint16 port = 0;
        QString path;
        QString type;
        QString streamType;
    };
    QList<Target> targets(const ScanOptions &options, QStringList *errors) const;

private:
    void runScan(const ScanOptions &options);
    void loadState();

    const config::Config &m_config;
    QHash<QString, ExternalStream> m_streams;  // by URL
    QList<std::function<void(const ScanResult &)>> m_waiting;
    bool m_scanning = false;
    ScanResult m_last;
    QDateTime m_lastScan;
    qint64 m_intervalS = 0;
    QTimer m_periodic;
    std::shared_ptr<std::function<void()>> m_launcher;  // the running scan's probe launcher
};

} // namespace station::cameras
