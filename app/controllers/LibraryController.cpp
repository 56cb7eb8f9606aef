#include "controllers/LibraryController.h"

#include "controllers/AdminGate.h"
#include "media/FileCatalog.h"
#include "media/RecordingService.h"
#include "media/StorageService.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QStorageInfo>
#include <QThreadPool>
#include <QUrl>

namespace station::app {

LibraryController::LibraryController(const core::Services &services, AdminGate *gate, QObject *parent)
    : QObject(parent), m_s(services), m_gate(gate)
{
    for (media::FileCatalog *c : {m_s.recordings, m_s.snapshots})
        if (c)
            connect(c, &media::FileCatalog::changed, this, &LibraryController::storageChanged);
    // No mount notification in Qt: a cheap poll of the mount table.
    m_poll.setInterval(3000);
    connect(&m_poll, &QTimer::timeout, this, &LibraryController::rescanDrives);
    m_poll.start();
    rescanDrives();
}

QString LibraryController::storageText() const
{
    const media::StorageInfo i = m_s.storage->info();
    return tr("%1 free of %2 (%3% used) · recordings %4 · snapshots %5")
        .arg(QLocale().formattedDataSize(i.availableSpace, 1, QLocale::DataSizeSIFormat),
             QLocale().formattedDataSize(i.totalSpace, 1, QLocale::DataSizeSIFormat))
        .arg(qRound(i.usagePercent))
        .arg(QLocale().formattedDataSize(i.recordingsSize, 1, QLocale::DataSizeSIFormat),
             QLocale().formattedDataSize(i.snapshotsSize, 1, QLocale::DataSizeSIFormat));
}

double LibraryController::usagePercent() const { return m_s.storage->info().usagePercent; }
bool LibraryController::lowSpace() const { return m_s.storage->info().lowSpaceWarning; }

QString LibraryController::lowSpaceText() const
{
    const media::StorageInfo i = m_s.storage->info();
    if (i.blocked)
        return tr("The disk is %1% full: new snapshots and recordings are refused until space is freed.").arg(qRound(i.usagePercent));
    if (i.lowSpaceWarning)
        return tr("The disk is %1% full. At %2% new recordings stop: delete or export old files.")
            .arg(qRound(i.usagePercent))
            .arg(i.blockThresholdPercent);
    return {};
}

QString LibraryController::remove(const QString &kind, const QString &filename)
{
    if (m_gate && !m_gate->unlocked())
        return tr("Deleting needs the admin PIN.");
    media::FileCatalog *c = kind == QLatin1String("snapshots") ? m_s.snapshots : m_s.recordings;
    if (kind != QLatin1String("snapshots") && m_s.recordingService && m_s.recordingService->isFileInProgress(filename))
        return tr("This recording is still running. Stop it first.");
    QString error;
    if (!c->remove(filename, &error))
        return error.isEmpty() ? tr("The file could not be deleted.") : error;
    c->rescanNow();
    Q_EMIT storageChanged();
    return {};
}

void LibraryController::exportFile(const QString &kind, const QString &filename, const QString &destination)
{
    media::FileCatalog *c = kind == QLatin1String("snapshots") ? m_s.snapshots : m_s.recordings;
    const std::optional<media::FileEntry> entry = c->find(filename);
    if (!entry) {
        Q_EMIT exportFinished(false, tr("The file no longer exists."));
        return;
    }
    QString target = destination.startsWith(QLatin1String("file:")) ? QUrl(destination).toLocalFile() : destination;
    if (QFileInfo(target).isDir())
        target = QDir(target).filePath(entry->filename);
    const QString source = entry->absolutePath;
    ++m_exporting;
    Q_EMIT exportingChanged();
    QPointer<LibraryController> self(this);
    QThreadPool::globalInstance()->start([self, source, target] {
        QString message;
        bool ok = false;
        if (QFileInfo::exists(target)) {
            message = tr("%1 already exists there.").arg(QFileInfo(target).fileName());
        } else if (QStorageInfo(QFileInfo(target).absolutePath()).bytesAvailable() < QFileInfo(source).size()) {
            message = tr("Not enough free space on the destination.");
        } else {
            ok = QFile::copy(source, target);
            message = ok ? tr("Exported to %1").arg(target) : tr("Could not write to %1.").arg(QFileInfo(target).absolutePath());
        }
        QMetaObject::invokeMethod(qApp, [self, ok, message] {
            if (!self)
                return;
            --self->m_exporting;
            Q_EMIT self->exportingChanged();
            Q_EMIT self->exportFinished(ok, message);
        });
    });
}

QStringList LibraryController::findRemovableDrives(const QStringList &mountPoints)
{
    QStringList out;
    for (const QString &m : mountPoints)
        if ((m.startsWith(QLatin1String("/media/")) || m.startsWith(QLatin1String("/run/media/"))) && QFileInfo(m).isWritable())
            out << m;
    return out;
}

void LibraryController::rescanDrives()
{
    QStringList mounts;
    for (const QStorageInfo &v : QStorageInfo::mountedVolumes())
        if (v.isValid() && v.isReady() && !v.isReadOnly())
            mounts << v.rootPath();
    const QStringList drives = findRemovableDrives(mounts);
    if (drives != m_drives) {
        m_drives = drives;
        Q_EMIT drivesChanged();
    }
}

} // namespace station::app
