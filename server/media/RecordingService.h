#pragma once

#include "media/CaptureError.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <optional>

namespace station::config { class Config; }
namespace station::cameras { class CameraRegistry; struct Camera; }
namespace station::events { class EventBus; }
namespace station::health { class MetricsRegistry; }
namespace station::mediamtx { class MediaMtxSupervisor; class PathManager; }
namespace station::media { class StorageService; }

namespace station::media {

class FileCatalog;
class ReaderPool;

// Where a session is: recording, stopped (asked to, or its duration elapsed),
// or ended by a failure (storage full, camera gone).
enum class RecordingState { Recording, Stopped, Error };

// A recording session of one camera (API.md §6.2, §6.3, §12.3).
struct RecordingSession {
    QString id;                 // rec-cameraN-<start ms>
    QString device;
    QString format;             // as requested: fmp4 or mp4
    QDateTime startTime;
    QDateTime endTime;          // set when stopped
    std::optional<qint64> requestedDuration;
    QStringList files;          // every file of the session, in order
    qint64 fileSize = 0;        // total bytes (final once stopped)
    QString reason;             // stop reason
    RecordingState state = RecordingState::Recording;
    // Readings of the monotonic clock (ms) at start and stop: durations come from
    // these, so a wall-clock jump (NTP, an operator setting the time) cannot make
    // them negative or days long. start_time/end_time stay wall time.
    qint64 startMonotonicMs = -1;
    qint64 endMonotonicMs = -1;
    static qint64 monotonicMs();
    qint64 elapsedSeconds() const;
};

// Recording through MediaMTX (`record: true` on the camera's path) while the
// station holds its own reader, so the on-demand publisher stays up with no
// viewer. start() returns once the first file exists; stop() once the files
// are final. Sessions survive MediaMTX restarts (a new file, and an event
// with the gap) and end cleanly when the camera goes away or storage fills.
class RecordingService : public QObject
{
    Q_OBJECT
public:
    RecordingService(const config::Config &config, cameras::CameraRegistry *cameras, mediamtx::MediaMtxSupervisor *mediamtx,
                     mediamtx::PathManager *paths, ReaderPool *readers, FileCatalog *catalog, media::StorageService *storage,
                     events::EventBus *events, health::MetricsRegistry *metrics, QObject *parent = nullptr);

    using StartDone = std::function<void(const RecordingSession &, const CaptureError &)>;
    using StopDone = std::function<void(const RecordingSession &, const CaptureError &)>;

    void start(const QString &device, std::optional<qint64> durationSeconds, const QString &format, StartDone done);
    void stop(const QString &device, StopDone done);

    bool isRecording(const QString &device) const { return m_sessions.contains(device); }
    std::optional<RecordingSession> session(const QString &device) const;
    QList<RecordingSession> sessions() const;
    bool isFileInProgress(const QString &filename) const;
    std::optional<QString> sessionIdForFile(const QString &filename) const;

    void stopAll(const QString &reason, std::function<void()> done);  // shutdown

    // The time of a segment's first sample, from the name MediaMTX gives it
    // (<device>_YYYY-MM-DD_HH-MM-SS-ffffff.mp4, UTC: MediaMTX runs with TZ=UTC).
    static std::optional<QDateTime> segmentStart(const QString &device, const QString &filename);

Q_SIGNALS:
    void sessionStarted(const station::media::RecordingSession &session);
    void sessionStopped(const station::media::RecordingSession &session);

private:
    struct Live;
    QString folderFor(const QString &device) const;
    QStringList mp4Files(const QString &device) const;
    void finish(const QString &device, RecordingState state, const QString &reason, StopDone done);
    void monitor();
    void publishStatus(const RecordingSession &s, const QJsonObject &extra = {});
    void onCameraChanged(const cameras::Camera &camera);

    const config::Config &m_config;
    cameras::CameraRegistry *m_cameras;
    mediamtx::MediaMtxSupervisor *m_mediamtx;
    mediamtx::PathManager *m_paths;
    ReaderPool *m_readers;
    FileCatalog *m_catalog;
    media::StorageService *m_storage;
    events::EventBus *m_events;
    health::MetricsRegistry *m_metrics;
    QHash<QString, Live *> m_sessions;  // device -> active session
    QSet<QString> m_starting;           // devices with a start in progress
    QTimer m_monitor;
};

} // namespace station::media
