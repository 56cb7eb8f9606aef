#include "media/StreamingService.h"

#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "media/CaptureChecks.h"
#include "media/LiveReader.h"
#include "media/ReaderPool.h"
#include "media/RecordingService.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>

namespace station::media {

namespace {
const QString kHolder = QStringLiteral("streaming");
}

StreamingService::StreamingService(const config::Config &config, cameras::CameraRegistry *cameras, mediamtx::MediaMtxSupervisor *mediamtx,
                                   mediamtx::PathManager *paths, ReaderPool *readers, RecordingService *recordings, QObject *parent)
    : QObject(parent), m_config(config), m_cameras(cameras), m_mediamtx(mediamtx), m_paths(paths), m_readers(readers), m_recordings(recordings)
{
    m_idleTimer.setInterval(5000);
    connect(&m_idleTimer, &QTimer::timeout, this, &StreamingService::sweepIdle);
    m_idleTimer.start();
}

void StreamingService::start(const QString &device, Done done)
{
    const std::optional<cameras::Camera> cam = m_cameras->find(device);
    if (!cam) {
        done({}, CaptureError::notFound());
        return;
    }
    if (m_sessions.contains(device)) {  // idempotent: the original session
        done(m_sessions.value(device).session, CaptureError());
        return;
    }
    for (const CaptureError &e : {checkCameraUsable(*cam), checkMediaMtx(*m_mediamtx)}) {
        if (e) {
            done({}, e);
            return;
        }
    }
    LiveReader *reader = m_readers->acquire(device, kHolder);
    // Returns when the path is ready: our reader then receives pictures.
    auto *poll = new QTimer(this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    connect(poll, &QTimer::timeout, this, [this, poll, clock, reader, device, done] {
        const bool ready = reader->hasPicture();
        if (!ready && clock->elapsed() < 10000)
            return;
        poll->stop();
        poll->deleteLater();
        if (!ready) {
            m_readers->release(device, kHolder);
            done({}, CaptureError::dependencyFailed(CaptureError::Dependency::Camera, QStringLiteral("timeout after 10 s")));
            return;
        }
        Entry e;
        e.session.device = device;
        e.session.startTime = QDateTime::currentDateTimeUtc();
        e.session.startedMonotonicMs = QDeadlineTimer::current().deadline();
        e.lastWatched = e.session.startTime;
        m_sessions.insert(device, e);
        done(e.session, CaptureError());
    });
    poll->start(50);
}

void StreamingService::stop(const QString &device, Done done)
{
    if (!m_cameras->find(device)) {
        done({}, CaptureError::notFound());
        return;
    }
    if (!m_sessions.contains(device)) {
        done({}, CaptureError::invalidState(QStringLiteral("NOT_STREAMING"), {QStringLiteral("STREAMING")}, QStringLiteral("no streaming session")));
        return;
    }
    StreamingSession s = m_sessions.take(device).session;
    // Judged before our own reader leaves: the path status still counts it.
    s.endTime = QDateTime::currentDateTimeUtc();
    s.durationSeconds = qRound64(double(QDeadlineTimer::current().deadline() - s.startedMonotonicMs) / 1000.0);
    s.streamContinues = m_paths->externalReaders(device) > 0 || m_recordings->isRecording(device);
    m_readers->release(device, kHolder);
    done(s, CaptureError());
}

void StreamingService::sweepIdle()
{
    const qint64 limit = m_config.integer(QStringLiteral("streaming.auto_close_after_s"));
    if (limit <= 0 || m_sessions.isEmpty())
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QStringList devices = m_sessions.keys();
    for (const QString &device : devices) {
        Entry &e = m_sessions[device];
        if (m_paths->externalReaders(device) > 0) {
            e.lastWatched = now;
            continue;
        }
        if (e.lastWatched.secsTo(now) >= limit) {
            m_sessions.remove(device);
            m_readers->release(device, kHolder);
        }
    }
}

} // namespace station::media
