#pragma once

#include "media/CaptureError.h"

#include <QDateTime>
#include <QObject>
#include <QSize>
#include <QString>

#include <functional>

namespace station::config { class Config; }
namespace station::cameras { class CameraRegistry; }
namespace station::events { class EventBus; }
namespace station::health { class MetricsRegistry; }
namespace station::mediamtx { class MediaMtxSupervisor; }
namespace station::media { class StorageService; }

namespace station::media {

class FileCatalog;
class ReaderPool;

struct Snapshot {
    QString device;
    QString filename;
    QString path;
    QDateTime timestamp;
    qint64 fileSize = 0;
    QSize resolution;
};

// JPEG snapshots (API.md §6.1): from the camera's warm reader when one runs,
// otherwise the reader is started (which starts the on-demand publisher) and
// the first picture is used. Scaled to fit snapshots.max_width x max_height,
// quality snapshots.quality, never overwriting a file (name_1, name_2 ...).
class SnapshotService : public QObject
{
    Q_OBJECT
public:
    SnapshotService(const config::Config &config, cameras::CameraRegistry *cameras, mediamtx::MediaMtxSupervisor *mediamtx,
                    ReaderPool *readers, FileCatalog *catalog, media::StorageService *storage, events::EventBus *events,
                    health::MetricsRegistry *metrics, QObject *parent = nullptr);

    using Done = std::function<void(const Snapshot &, const CaptureError &)>;
    // requestedName: "" for the default name; else validated by the caller (.jpg appended when it has no extension).
    void take(const QString &device, const QString &requestedName, Done done);

    // Writes `jpeg` under a unique name based on `name` (exclusive create). Public for tests.
    static QString writeUnique(const QString &folder, const QString &name, const QByteArray &jpeg, QString *error);

Q_SIGNALS:
    void snapshotTaken(const station::media::Snapshot &snapshot);

private:
    void capture(const QString &device, const QString &name, const QDateTime &started, Done done);
    void fail(const QString &device, const CaptureError &error, const Done &done);

    const config::Config &m_config;
    cameras::CameraRegistry *m_cameras;
    mediamtx::MediaMtxSupervisor *m_mediamtx;
    ReaderPool *m_readers;
    FileCatalog *m_catalog;
    media::StorageService *m_storage;
    events::EventBus *m_events;
    health::MetricsRegistry *m_metrics;
};

} // namespace station::media
