#include "media/StorageService.h"

#include "config/Config.h"
#include "media/FileCatalog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStorageInfo>

#include <algorithm>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcStorage, "station.storage")

namespace station::media {

namespace {

// Keeps only the limit that matches the type (§9.6: the other is null).
RetentionPolicy normalized(RetentionPolicy p)
{
    if (p.type != QLatin1String("age"))
        p.maxAgeDays.reset();
    if (p.type != QLatin1String("size"))
        p.maxSizeGb.reset();
    return p;
}

QString shapeError(const RetentionPolicy &p)
{
    if (p.type != QLatin1String("age") && p.type != QLatin1String("size") && p.type != QLatin1String("manual"))
        return QStringLiteral("policy_type must be age, size or manual");
    if (p.type == QLatin1String("age") && (!p.maxAgeDays || *p.maxAgeDays < 1))
        return QStringLiteral("age policy needs max_age_days >= 1");
    if (p.type == QLatin1String("size") && (!p.maxSizeGb || !(*p.maxSizeGb > 0)))
        return QStringLiteral("size policy needs max_size_gb > 0");
    return {};
}

bool writableDir(const QString &path)
{
    const QFileInfo fi(path);
    return fi.isDir() && ::access(QFile::encodeName(path).constData(), W_OK | X_OK) == 0;
}

QString policyPath(const config::Config &c) { return c.stateDir() + QStringLiteral("/retention.json"); }

} // namespace

StorageService::StorageService(const config::Config &config, media::FileCatalog *recordings,
                               media::FileCatalog *snapshots, QObject *parent)
    : QObject(parent), m_config(config), m_recordings(recordings), m_snapshots(snapshots)
{
    RetentionPolicy p;
    p.type = m_config.string(QStringLiteral("retention.policy_type"));
    p.enabled = m_config.boolean(QStringLiteral("retention.enabled"));
    p.maxAgeDays = m_config.integer(QStringLiteral("retention.max_age_days"));
    p.maxSizeGb = m_config.real(QStringLiteral("retention.max_size_gb"));
    m_policy = normalized(p);
    connect(&m_timer, &QTimer::timeout, this, [this] { cleanup(); });
}

void StorageService::start()
{
    loadPolicy();
    arm();
}

void StorageService::loadPolicy()
{
    QFile f(policyPath(m_config));
    if (!f.open(QIODevice::ReadOnly))
        return;  // never set: the config defaults stay
    QJsonParseError err{};
    const QJsonObject o = QJsonDocument::fromJson(f.readAll(), &err).object();
    RetentionPolicy p;
    p.type = o.value(QStringLiteral("policy_type")).toString();
    p.enabled = o.value(QStringLiteral("enabled")).toBool();
    if (o.value(QStringLiteral("max_age_days")).isDouble())
        p.maxAgeDays = qint64(o.value(QStringLiteral("max_age_days")).toDouble());
    if (o.value(QStringLiteral("max_size_gb")).isDouble())
        p.maxSizeGb = o.value(QStringLiteral("max_size_gb")).toDouble();
    const QString bad = err.error != QJsonParseError::NoError ? err.errorString() : shapeError(p);
    if (!bad.isEmpty()) {
        qCWarning(lcStorage) << "ignoring" << f.fileName() << ":" << bad;
        return;
    }
    m_policy = normalized(p);
}

void StorageService::arm()
{
    m_timer.stop();
    if (!m_policy.enabled)
        return;
    m_timer.start(int(std::min<qint64>(m_config.integer(QStringLiteral("storage.cleanup_interval_s")) * 1000, INT_MAX)));
    // The policy applies now, not one interval later (a service restarted
    // more often than the interval would otherwise never clean up).
    QTimer::singleShot(0, this, [this] {
        if (m_policy.enabled)
            cleanup();
    });
}

bool StorageService::setPolicy(const RetentionPolicy &policy, QString *error)
{
    const QString bad = shapeError(policy);
    if (!bad.isEmpty()) {
        if (error)
            *error = bad;
        return false;
    }
    const RetentionPolicy p = normalized(policy);
    QJsonObject o{{QStringLiteral("policy_type"), p.type},
                  {QStringLiteral("enabled"), p.enabled},
                  {QStringLiteral("max_age_days"), p.maxAgeDays ? QJsonValue(double(*p.maxAgeDays)) : QJsonValue()},
                  {QStringLiteral("max_size_gb"), p.maxSizeGb ? QJsonValue(*p.maxSizeGb) : QJsonValue()}};
    QDir().mkpath(m_config.stateDir());
    QSaveFile f(policyPath(m_config));  // atomic: a crash never leaves half a policy
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(o).toJson()) < 0 || !f.commit()) {
        if (error)
            *error = QStringLiteral("cannot save %1: %2").arg(f.fileName(), f.errorString());
        qCWarning(lcStorage) << "cannot save retention policy:" << f.errorString();
        return false;
    }
    m_policy = p;
    qCInfo(lcStorage) << "retention policy" << p.type << "enabled" << p.enabled;
    arm();
    Q_EMIT policyChanged();
    return true;
}

bool StorageService::ensureFolders(QString *error)
{
    for (const QString &dir : {m_config.recordingsDir(), m_config.snapshotsDir(), m_config.stateDir()}) {
        if (!QDir().mkpath(dir)) {
            if (error)
                *error = QStringLiteral("cannot create folder %1").arg(dir);
            return false;
        }
    }
    return true;
}

StorageInfo StorageService::info() const
{
    StorageInfo s = filesystemInfo();
    if (m_recordings) {
        s.recordingsSize = m_recordings->totalBytes();
        s.recordingsCount = m_recordings->count();
        s.readable = s.readable && m_recordings->lastError().isEmpty();
    }
    if (m_snapshots) {
        s.snapshotsSize = m_snapshots->totalBytes();
        s.snapshotsCount = m_snapshots->count();
        s.readable = s.readable && m_snapshots->lastError().isEmpty();
    }
    return s;
}

StorageInfo StorageService::filesystemInfo() const
{
    StorageInfo s;
    s.warnThresholdPercent = m_config.integer32(QStringLiteral("storage.warn_threshold_percent"));
    s.blockThresholdPercent = m_config.integer32(QStringLiteral("storage.block_threshold_percent"));
    const QString recDir = m_config.recordingsDir();
    const QString snapDir = m_config.snapshotsDir();
    QStorageInfo fs(recDir);
    if (fs.isValid() && fs.isReady()) {
        s.totalSpace = fs.bytesTotal();
        s.availableSpace = fs.bytesAvailable();
        s.usedSpace = s.totalSpace - fs.bytesFree();
        s.usagePercent = s.totalSpace > 0 ? double(s.usedSpace) * 100.0 / double(s.totalSpace) : 0.0;
    }
    s.lowSpaceWarning = s.usagePercent >= s.warnThresholdPercent;
    s.blocked = s.usagePercent >= s.blockThresholdPercent;
    s.writable = writableDir(recDir) && writableDir(snapDir);
    s.readable = QFileInfo(recDir).isReadable() && QFileInfo(snapDir).isReadable();
    return s;
}

CleanupResult StorageService::cleanup()
{
    CleanupResult r;
    const RetentionPolicy p = m_policy;
    if (p.type != QLatin1String("age") && p.type != QLatin1String("size")) {
        r.message = QStringLiteral("Manual retention policy: nothing deleted");
        Q_EMIT cleanupFinished(r);
        return r;
    }
    r.executed = true;

    struct Candidate {
        media::FileEntry entry;
        media::FileCatalog *catalog;
    };
    QList<Candidate> files;  // both kinds
    for (media::FileCatalog *c : {m_recordings, m_snapshots}) {
        if (!c)
            continue;
        c->rescanNow();  // current sizes, including recordings in progress
        if (!c->lastError().isEmpty()) {
            r.executed = false;
            r.error = c->lastError();
            r.message = QStringLiteral("Cleanup failed: %1").arg(r.error);
            Q_EMIT cleanupFinished(r);
            return r;
        }
        for (const media::FileEntry &e : c->all())
            files.append({e, c});
    }
    // Oldest first (the reverse of the listing order).
    std::sort(files.begin(), files.end(), [](const Candidate &a, const Candidate &b) {
        return a.entry.created != b.entry.created ? a.entry.created < b.entry.created
                                                  : a.entry.filename < b.entry.filename;
    });

    qint64 total = 0;
    for (const Candidate &f : std::as_const(files))
        total += f.entry.size;
    const qint64 limit = p.maxSizeGb ? qint64(*p.maxSizeGb * 1e9) : 0;
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-p.maxAgeDays.value_or(0) * 86400);
    qint64 failed = 0;
    for (const Candidate &f : std::as_const(files)) {
        if (p.type == QLatin1String("age") ? f.entry.created >= cutoff : total <= limit)
            break;  // sorted oldest first: nothing further qualifies
        if (f.catalog->isProtected(f.entry))
            continue;  // a recording in progress
        const auto fresh = f.catalog->find(f.entry.filename);
        QString why;
        if (!fresh || !f.catalog->remove(fresh->filename, &why)) {
            ++failed;
            qCWarning(lcStorage) << "retention could not delete" << f.entry.filename << why;
            continue;
        }
        total -= fresh->size;
        r.spaceFreed += fresh->size;
        ++r.filesDeleted;
        ++(f.catalog == m_recordings ? r.recordingsDeleted : r.snapshotsDeleted);
    }
    r.message = QStringLiteral("Deleted %1 files").arg(r.filesDeleted);
    if (failed > 0)
        r.message += QStringLiteral(" (%1 could not be deleted)").arg(failed);
    qCInfo(lcStorage) << "cleanup" << p.type << ":" << r.message << "freed" << r.spaceFreed << "bytes";
    Q_EMIT cleanupFinished(r);
    return r;
}

} // namespace station::media
