#pragma once

#include "media/CaptureError.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace station::config { class Config; }
namespace station::cameras { class CameraRegistry; }
namespace station::mediamtx { class MediaMtxSupervisor; class PathManager; }

namespace station::media {

class ReaderPool;
class RecordingService;

struct StreamingSession {
    QString device;
    QDateTime startTime;
    QDateTime endTime;
    qint64 startedMonotonicMs = 0;  // for the duration: immune to wall-clock jumps
    qint64 durationSeconds = 0;     // set at stop
    bool streamContinues = false;   // at stop: readers remain or a recording runs
};

// start_streaming / stop_streaming (API.md §8.1, §8.2): a session holds the
// camera's publisher up whether or not anyone watches, until stopped or
// until streaming.auto_close_after_s pass with no outside reader. It never
// stops a recording and never disconnects readers.
class StreamingService : public QObject
{
    Q_OBJECT
public:
    StreamingService(const config::Config &config, cameras::CameraRegistry *cameras, mediamtx::MediaMtxSupervisor *mediamtx,
                     mediamtx::PathManager *paths, ReaderPool *readers, RecordingService *recordings, QObject *parent = nullptr);

    using Done = std::function<void(const StreamingSession &, const CaptureError &)>;
    void start(const QString &device, Done done);
    void stop(const QString &device, Done done);
    bool isStreaming(const QString &device) const { return m_sessions.contains(device); }

private:
    void sweepIdle();

    const config::Config &m_config;
    cameras::CameraRegistry *m_cameras;
    mediamtx::MediaMtxSupervisor *m_mediamtx;
    mediamtx::PathManager *m_paths;
    ReaderPool *m_readers;
    RecordingService *m_recordings;
    struct Entry {
        StreamingSession session;
        QDateTime lastWatched;
    };
    QHash<QString, Entry> m_sessions;
    QTimer m_idleTimer;
};

} // namespace station::media
