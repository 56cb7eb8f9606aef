#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

namespace station::config { class Config; }
namespace station::media { class FileCatalog; }

namespace station::media {

// API.md §9.6: policy_type age | size | manual. Only the limit that matches
// the type is kept (the other is nullopt and reported as null).
struct RetentionPolicy {
    QString type = QStringLiteral("manual");
    bool enabled = false;
    std::optional<qint64> maxAgeDays;
    std::optional<double> maxSizeGb;  // GB = 10^9 bytes
};

// Filesystem figures for the filesystem holding the recordings folder (§9.5).
struct StorageInfo {
    qint64 totalSpace = 0;
    qint64 usedSpace = 0;
    qint64 availableSpace = 0;   // available to this process's user
    double usagePercent = 0;     // used / total * 100
    qint64 recordingsSize = 0;
    qint64 snapshotsSize = 0;
    qint64 recordingsCount = 0;
    qint64 snapshotsCount = 0;
    bool lowSpaceWarning = false;  // usage >= warn threshold
    bool blocked = false;          // usage >= block threshold
    bool writable = false;         // both folders writable
    int warnThresholdPercent = 70;
    int blockThresholdPercent = 85;
    bool readable = true;          // the folders could be read
};

struct CleanupResult {
    bool executed = false;   // false for manual
    qint64 filesDeleted = 0;
    qint64 spaceFreed = 0;   // bytes actually released (sizes of files really unlinked)
    qint64 recordingsDeleted = 0;
    qint64 snapshotsDeleted = 0;
    QString message;
    QString error;           // non-empty: storage failure (-32050)
};

// Disk figures, the retention policy (persisted in the state folder as
// retention.json, defaults from the retention.* config keys) and cleanup.
// Files a catalog reports as protected (recordings in progress) are never deleted.
class StorageService : public QObject
{
    Q_OBJECT
public:
    StorageService(const config::Config &config, media::FileCatalog *recordings,
                   media::FileCatalog *snapshots, QObject *parent = nullptr);

    void start();  // loads the persisted policy, arms the periodic cleanup

    StorageInfo info() const;            // filesystem figures plus the current size of every file
    StorageInfo filesystemInfo() const;  // filesystem figures only (cheap: health, capture checks)
    bool ensureFolders(QString *error);  // creates recordings/snapshots/state folders

    RetentionPolicy policy() const { return m_policy; }
    // Checks the shape only (type known, its limit present; the RPC layer
    // validates ranges), persists, applies at once.
    bool setPolicy(const RetentionPolicy &policy, QString *error);
    CleanupResult cleanup();  // applies the current policy once, enabled or not

Q_SIGNALS:
    void policyChanged();
    void cleanupFinished(const station::media::CleanupResult &result);

private:
    void loadPolicy();
    void arm();  // (re)starts the periodic cleanup when enabled and runs one soon
    const config::Config &m_config;
    media::FileCatalog *m_recordings;
    media::FileCatalog *m_snapshots;
    RetentionPolicy m_policy;
    QTimer m_timer;
};

} // namespace station::media
