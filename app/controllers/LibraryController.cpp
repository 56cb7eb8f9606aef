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
#include <QStandardPaths>
#include <QStorageInfo>
#include <QThreadPool>
#include <QUrl>

#include <fcntl.h>
#include <unistd.h>

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
    m_progress = 0;
    Q_EMIT exportProgressChanged();
    const bool removable = !findRemovableDrives({QStorageInfo(QFileInfo(target).absolutePath()).rootPath()}).isEmpty();
    QPointer<LibraryController> self(this);
    QThreadPool::globalInstance()->start([self, source, target, removable] {
        QString message;
        bool ok = false;
        if (QFileInfo::exists(target)) {
            message = tr("%1 already exists there.").arg(QFileInfo(target).fileName());
        } else if (QStorageInfo(QFileInfo(target).absolutePath()).bytesAvailable() < QFileInfo(source).size()) {
            message = tr("Not enough free space on the destination.");
        } else {
            QString error;
            ok = copyFile(source, target, [self](double p) {
                QMetaObject::invokeMethod(qApp, [self, p] {
                    if (self && self->m_progress != p) {
                        self->m_progress = p;
                        Q_EMIT self->exportProgressChanged();
                    }
                });
            }, &error);
            message = !ok ? error
                : removable ? tr("Exported %1. Safe to remove the drive.").arg(QFileInfo(target).fileName())
                            : tr("Exported to %1").arg(target);
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

bool LibraryController::copyFile(const QString &source, const QString &target, const std::function<void(double)> &progress, QString *error)
{
    QFile in(source);
    const QString part = target + QStringLiteral(".part");
    QFile out(part);
    if (!in.open(QIODevice::ReadOnly)) {
        *error = tr("Could not read %1.").arg(QFileInfo(source).fileName());
        return false;
    }
    if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly)) {
        *error = tr("Could not write to %1.").arg(QFileInfo(target).absolutePath());
        return false;
    }
    const qint64 total = qMax<qint64>(1, in.size());
    qint64 done = 0;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    bool ok = true;
    while (ok) {
        const qint64 n = in.read(buffer.data(), buffer.size());
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        ok = out.write(buffer.constData(), n) == n;
        done += n;
        if (progress)
            progress(qMin(1.0, double(done) / double(total)) * 0.95);  // the flush is the last 5 %
    }
    ok = ok && out.flush() && ::fsync(out.handle()) == 0;
    out.close();
    if (ok && !QFile::rename(part, target))
        ok = false;
    if (!ok) {
        QFile::remove(part);
        *error = tr("Could not write to %1.").arg(QFileInfo(target).absolutePath());
        return false;
    }
    // The directory entry too, and anything else pending on that drive.
    const int dir = ::open(QFile::encodeName(QFileInfo(target).absolutePath()).constData(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::syncfs(dir);
        ::close(dir);
    }
    if (progress)
        progress(1.0);
    return true;
}

QString LibraryController::exportFolder(const QString &kind) const
{
    const auto location = kind == QLatin1String("snapshots") ? QStandardPaths::PicturesLocation : QStandardPaths::MoviesLocation;
    QString dir = QStandardPaths::writableLocation(location);
    if (dir.isEmpty() || !QDir().mkpath(dir))
        dir = QDir::homePath();
    return QUrl::fromLocalFile(dir).toString();
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
