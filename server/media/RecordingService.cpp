#include "media/RecordingService.h"

#include "cameras/CameraRegistry.h"
#include "common/IsoTime.h"
#include "config/Config.h"
#include "events/EventBus.h"
#include "health/MetricsRegistry.h"
#include "media/CaptureChecks.h"
#include "media/FileCatalog.h"
#include "media/ReaderPool.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"
#include "media/StorageService.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>

#include <chrono>

Q_LOGGING_CATEGORY(lcRecording, "station.media.recording")

namespace station::media {

using common::isoTime;

namespace {

// The status field of recording_status_update (API.md §12.3).
QString statusName(RecordingState state)
{
    switch (state) {
    case RecordingState::Recording: return QStringLiteral("RECORDING");
    case RecordingState::Stopped: return QStringLiteral("STOPPED");
    case RecordingState::Error: return QStringLiteral("ERROR");
    }
    return {};
}

// The longest a first file may plausibly lag its first sample: one part plus a
// slow start. Beyond it the name's clock is not trusted.
constexpr qint64 kMaxFirstPartDelayMs = 5000;

} // namespace

std::optional<QDateTime> RecordingService::segmentStart(const QString &device, const QString &filename)
{
    // <device>_YYYY-MM-DD_HH-MM-SS-ffffff.mp4 (MediaMtxConfig::recordPathPattern)
    const QString prefix = device + QLatin1Char('_');
    if (!filename.startsWith(prefix) || !filename.endsWith(QLatin1String(".mp4")))
        return std::nullopt;
    const QString stamp = filename.mid(prefix.size(), filename.size() - prefix.size() - 4);
    static const QRegularExpression rx(QStringLiteral("^(\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2})-(\\d{6})$"));
    const QRegularExpressionMatch m = rx.match(stamp);
    if (!m.hasMatch())
        return std::nullopt;
    QDateTime t = QDateTime::fromString(m.captured(1), QStringLiteral("yyyy-MM-dd_HH-mm-ss"));
    if (!t.isValid())
        return std::nullopt;
    t.setTimeZone(QTimeZone::utc());
    return t.addMSecs(m.captured(2).toLongLong() / 1000);
}

qint64 RecordingSession::monotonicMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

qint64 RecordingSession::elapsedSeconds() const
{
    if (startMonotonicMs >= 0) {
        const qint64 end = endMonotonicMs >= 0 ? endMonotonicMs : monotonicMs();
        return qRound64(double(end - startMonotonicMs) / 1000.0);
    }
    const QDateTime end = endTime.isValid() ? endTime : QDateTime::currentDateTimeUtc();
    return qRound64(double(startTime.msecsTo(end)) / 1000.0);
}

struct RecordingService::Live {
    RecordingSession session;
    QTimer durationTimer;
    QTimer progressTimer;
    qint64 interruptedAtMs = -1;  // monotonic ms: MediaMTX went away while recording
    bool stopping = false;
    // Files of the camera that predate the session. New files are told apart
    // by membership, not by name order: names carry the wall clock, which can jump back.
    QSet<QString> preexisting;
    bool isNew(const QString &f) const { return !preexisting.contains(f) && !session.files.contains(f); }
};

RecordingService::RecordingService(const config::Config &config, cameras::CameraRegistry *cameras, mediamtx::MediaMtxSupervisor *mediamtx,
                                   mediamtx::PathManager *paths, ReaderPool *readers, FileCatalog *catalog, media::StorageService *storage,
                                   events::EventBus *events, health::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_config(config), m_cameras(cameras), m_mediamtx(mediamtx), m_paths(paths), m_readers(readers),
      m_catalog(catalog), m_storage(storage), m_events(events), m_metrics(metrics)
{
    m_metrics->declare(QStringLiteral("camera_station_recordings_active"), health::MetricsRegistry::Type::Gauge, QStringLiteral("recording sessions in progress"));
    m_monitor.setInterval(1000);
    connect(&m_monitor, &QTimer::timeout, this, &RecordingService::monitor);
    m_monitor.start();
    connect(cameras, &cameras::CameraRegistry::cameraChanged, this,
            [this](const cameras::Camera &camera, const QString &) { onCameraChanged(camera); });
    connect(mediamtx, &mediamtx::MediaMtxSupervisor::unavailable, this, [this] {
        for (Live *l : std::as_const(m_sessions)) {
            if (l->interruptedAtMs < 0)
                l->interruptedAtMs = RecordingSession::monotonicMs();
        }
    });
    catalog->setProtectedPredicate([this](const FileEntry &e) { return isFileInProgress(e.filename); });
}

QString RecordingService::folderFor(const QString &device) const
{
    return m_config.recordingsDir() + QLatin1Char('/') + device;
}

QStringList RecordingService::mp4Files(const QString &device) const
{
    // MediaMTX's names sort by time: <device>_YYYY-MM-DD_HH-MM-SS-ffffff.mp4
    return QDir(folderFor(device)).entryList({QStringLiteral("*.mp4")}, QDir::Files, QDir::Name);
}

std::optional<RecordingSession> RecordingService::session(const QString &device) const
{
    const Live *l = m_sessions.value(device);
    if (!l)
        return std::nullopt;
    return l->session;
}

QList<RecordingSession> RecordingService::sessions() const
{
    QList<RecordingSession> list;
    for (const Live *l : m_sessions)
        list << l->session;
    return list;
}

bool RecordingService::isFileInProgress(const QString &filename) const
{
    for (const Live *l : m_sessions) {
        if (!l->session.files.isEmpty() && l->session.files.last() == filename)
            return true;
    }
    return false;
}

std::optional<QString> RecordingService::sessionIdForFile(const QString &filename) const
{
    for (const Live *l : m_sessions) {
        if (l->session.files.contains(filename))
            return l->session.id;
    }
    return std::nullopt;
}

void RecordingService::publishStatus(const RecordingSession &s, const QJsonObject &extra)
{
    QJsonObject p{{QStringLiteral("device"), s.device},
                  {QStringLiteral("status"), statusName(s.state)},
                  {QStringLiteral("filename"), s.files.value(0)},
                  {QStringLiteral("session_id"), s.id},
                  {QStringLiteral("format"), s.format},
                  {QStringLiteral("start_time"), isoTime(s.startTime)},
                  {QStringLiteral("startTime"), isoTime(s.startTime)},
                  {QStringLiteral("duration"), s.state == RecordingState::Recording ? 0 : s.elapsedSeconds()}};
    if (s.state != RecordingState::Recording) {
        p.insert(QStringLiteral("end_time"), isoTime(s.endTime));
        p.insert(QStringLiteral("file_size"), s.fileSize);
        p.insert(QStringLiteral("files"), QJsonArray::fromStringList(s.files));
        p.insert(QStringLiteral("reason"), s.reason);
    }
    for (auto it = extra.begin(); it != extra.end(); ++it)
        p.insert(it.key(), it.value());
    m_events->publish(QStringLiteral("recording_status_update"), p, s.device);
}

void RecordingService::start(const QString &device, std::optional<qint64> durationSeconds, const QString &format, StartDone done)
{
    const std::optional<cameras::Camera> cam = m_cameras->find(device);
    if (!cam) {
        done({}, CaptureError::notFound());
        return;
    }
    if (m_sessions.contains(device) || m_starting.contains(device)) {
        done({}, CaptureError::invalidState(QStringLiteral("RECORDING"), {QStringLiteral("IDLE")}, QStringLiteral("already recording")));
        return;
    }
    if (format == QLatin1String("mkv")) {
        done({}, CaptureError::unsupported(QStringLiteral("format:mkv")));
        return;
    }
    for (const CaptureError &e : {checkCameraUsable(*cam), checkMediaMtx(*m_mediamtx), checkStorage(m_storage->filesystemInfo(), QStringLiteral("recordings"))}) {
        if (e) {
            done({}, e);
            return;
        }
    }

    m_starting.insert(device);
    const QStringList existing = mp4Files(device);  // one list: begin() and end() must belong to it
    const QSet<QString> before(existing.begin(), existing.end());
    m_readers->acquire(device, QStringLiteral("recording"));

    auto rollback = [this, device, done](const CaptureError &e) {
        m_paths->setRecording(device, false, [](bool, const QString &) {});
        m_readers->release(device, QStringLiteral("recording"));
        m_starting.remove(device);
        done({}, e);
    };
    m_paths->setRecording(device, true, [this, device, before, durationSeconds, format, done, rollback](bool ok, const QString &error) {
        if (!ok) {
            rollback(CaptureError::dependencyFailed(CaptureError::Dependency::MediaMtx, error));
            return;
        }
        // The contract returns only once the first file exists (§6.2).
        auto *poll = new QTimer(this);
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        const qint64 timeoutMs = m_config.integer(QStringLiteral("recording.start_timeout_s")) * 1000;
        connect(poll, &QTimer::timeout, this, [=, this] {
            QString firstFile;
            for (const QString &f : mp4Files(device)) {
                if (!before.contains(f)) {
                    firstFile = f;
                    break;
                }
            }
            if (firstFile.isEmpty() && clock->elapsed() < timeoutMs)
                return;
            poll->stop();
            poll->deleteLater();
            if (firstFile.isEmpty()) {
                rollback(CaptureError::dependencyFailed(CaptureError::Dependency::Camera,
                                                        QStringLiteral("no recording file after %1 s").arg(timeoutMs / 1000)));
                return;
            }
            m_starting.remove(device);
            auto *live = new Live;
            live->preexisting = before;
            RecordingSession &s = live->session;
            s.device = device;
            s.format = format;
            // The session starts when recording really does: at the first file's
            // first sample. MediaMTX records from the first IDR, but creates the
            // file only once its first part (recordPartDuration, 1 s) is complete,
            // and names it after that first sample (v1.20.1 internal/recorder/
            // format_fmp4_segment.go closeCurPart: the file is created on the
            // first part's flush, named from the segment's startNTP). So when the
            // file appears, a second or more is already recorded: counting from
            // here made a 5 s recording 6.1 s long. The offset is taken from the
            // name, bounded, so a wrong clock cannot make it negative or long.
            const QDateTime now = QDateTime::currentDateTimeUtc();
            const qint64 nowMono = RecordingSession::monotonicMs();
            qint64 alreadyMs = 0;
            if (const std::optional<QDateTime> firstSample = segmentStart(device, firstFile); firstSample)
                alreadyMs = std::clamp<qint64>(firstSample->msecsTo(now), 0, kMaxFirstPartDelayMs);
            s.startTime = now.addMSecs(-alreadyMs);
            s.startMonotonicMs = nowMono - alreadyMs;
            s.requestedDuration = durationSeconds;
            s.id = QStringLiteral("rec-%1-%2").arg(device).arg(s.startTime.toMSecsSinceEpoch());
            s.files << firstFile;
            m_sessions.insert(device, live);
            const qint64 limit = durationSeconds.value_or(m_config.integer(QStringLiteral("recording.max_duration_s")));
            const QString reason = durationSeconds ? QStringLiteral("duration_elapsed") : QStringLiteral("max_duration");
            live->durationTimer.setSingleShot(true);
            live->durationTimer.setTimerType(Qt::PreciseTimer);  // a coarse timer may fire 5 % early
            connect(&live->durationTimer, &QTimer::timeout, this, [this, device, reason] {
                finish(device, RecordingState::Stopped, reason, [](const RecordingSession &, const CaptureError &) {});
            });
            // Measured from the first sample, so the file holds the requested duration.
            live->durationTimer.start(int(std::max<qint64>(0, limit * 1000 - (RecordingSession::monotonicMs() - s.startMonotonicMs))));
            live->progressTimer.setInterval(m_config.integer32(QStringLiteral("recording.progress_interval_s")) * 1000);
            connect(&live->progressTimer, &QTimer::timeout, this, [this, live] {
                qint64 size = 0;
                for (const QString &f : live->session.files)
                    size += QFileInfo(folderFor(live->session.device) + QLatin1Char('/') + f).size();
                m_events->publish(QStringLiteral("recording.progress"), {{QStringLiteral("device"), live->session.device},
                                                                         {QStringLiteral("filename"), live->session.files.value(0)},
                                                                         {QStringLiteral("session_id"), live->session.id},
                                                                         {QStringLiteral("duration"), live->session.elapsedSeconds()},
                                                                         {QStringLiteral("file_size"), size}},
                                  live->session.device);
            });
            live->progressTimer.start();
            m_metrics->set(QStringLiteral("camera_station_recordings_active"), {}, double(m_sessions.size()));
            m_catalog->rescanNow();
            qCInfo(lcRecording) << "recording" << device << "into" << firstFile << "recorded since" << isoTime(s.startTime);
            // The result goes out before the events it caused (§2.2).
            done(s, CaptureError());
            publishStatus(s);
            m_events->publish(QStringLiteral("recording.start"), {{QStringLiteral("device"), device},
                                                                  {QStringLiteral("filename"), firstFile},
                                                                  {QStringLiteral("session_id"), s.id},
                                                                  {QStringLiteral("start_time"), isoTime(s.startTime)},
                                                                  {QStringLiteral("format"), format},
                                                                  {QStringLiteral("duration"), durationSeconds ? QJsonValue(*durationSeconds) : QJsonValue()}},
                              device);
            m_events->publish(QStringLiteral("mediamtx.recording_started"), {{QStringLiteral("name"), device},
                                                                             {QStringLiteral("device"), device},
                                                                             {QStringLiteral("filename"), firstFile}},
                              device);
            Q_EMIT sessionStarted(s);
        });
        poll->start(100);
    });
}

void RecordingService::stop(const QString &device, StopDone done)
{
    if (!m_cameras->find(device)) {
        done({}, CaptureError::notFound());
        return;
    }
    Live *l = m_sessions.value(device);
    if (!l || l->stopping) {
        done({}, CaptureError::invalidState(QStringLiteral("IDLE"), {QStringLiteral("RECORDING")}, QStringLiteral("not recording")));
        return;
    }
    finish(device, RecordingState::Stopped, QStringLiteral("user_request"), std::move(done));
}

void RecordingService::finish(const QString &device, RecordingState state, const QString &reason, StopDone done)
{
    Live *l = m_sessions.value(device);
    if (!l || l->stopping) {
        done({}, CaptureError::invalidState(QStringLiteral("IDLE"), {QStringLiteral("RECORDING")}));
        return;
    }
    l->stopping = true;
    l->durationTimer.stop();
    l->progressTimer.stop();
    l->session.endTime = QDateTime::currentDateTimeUtc();
    l->session.endMonotonicMs = RecordingSession::monotonicMs();
    m_paths->setRecording(device, false, [this, device, state, reason, done, l](bool, const QString &) {
        // Wait (at most 10 s) until the last file stops growing: then sizes are final.
        auto *poll = new QTimer(this);
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        auto lastSize = std::make_shared<qint64>(-1);
        auto stableSince = std::make_shared<qint64>(0);
        connect(poll, &QTimer::timeout, this, [=, this] {
            for (const QString &f : mp4Files(device)) {  // segments that appeared meanwhile
                if (l->isNew(f))
                    l->session.files << f;
            }
            const qint64 size = QFileInfo(folderFor(device) + QLatin1Char('/') + l->session.files.last()).size();
            if (size != *lastSize) {
                *lastSize = size;
                *stableSince = clock->elapsed();
            }
            const bool settled = clock->elapsed() - *stableSince >= 1200 || !m_mediamtx->available();
            if (!settled && clock->elapsed() < 10000)
                return;
            poll->stop();
            poll->deleteLater();
            RecordingSession &s = l->session;
            s.state = state;
            s.reason = reason;
            s.fileSize = 0;
            for (const QString &f : s.files)
                s.fileSize += QFileInfo(folderFor(device) + QLatin1Char('/') + f).size();
            m_sessions.remove(device);
            m_readers->release(device, QStringLiteral("recording"));
            m_metrics->set(QStringLiteral("camera_station_recordings_active"), {}, double(m_sessions.size()));
            m_catalog->rescanNow();
            const RecordingSession result = s;
            delete l;
            qCInfo(lcRecording) << "recording" << device << statusName(state) << reason << result.files;
            done(result, CaptureError());
            publishStatus(result);
            if (state == RecordingState::Stopped) {
                m_events->publish(QStringLiteral("recording.stop"), {{QStringLiteral("device"), device},
                                                                     {QStringLiteral("filename"), result.files.value(0)},
                                                                     {QStringLiteral("session_id"), result.id},
                                                                     {QStringLiteral("start_time"), isoTime(result.startTime)},
                                                                     {QStringLiteral("end_time"), isoTime(result.endTime)},
                                                                     {QStringLiteral("duration"), result.elapsedSeconds()},
                                                                     {QStringLiteral("file_size"), result.fileSize},
                                                                     {QStringLiteral("files"), QJsonArray::fromStringList(result.files)},
                                                                     {QStringLiteral("reason"), reason}},
                                  device);
            } else {
                // Declared (with help) by HealthMonitor, which also keeps a 0 per known camera.
                m_metrics->add(QStringLiteral("camera_station_recording_failures_total"), health::MetricsRegistry::label(QStringLiteral("camera"), device));
                m_events->publish(QStringLiteral("recording.error"), {{QStringLiteral("device"), device},
                                                                      {QStringLiteral("filename"), result.files.value(0)},
                                                                      {QStringLiteral("session_id"), result.id},
                                                                      {QStringLiteral("reason"), reason},
                                                                      {QStringLiteral("detail"), reason == QLatin1String("storage_full") ? QStringLiteral("storage is full")
                                                                                               : reason == QLatin1String("camera_disconnected") ? QStringLiteral("the camera went away")
                                                                                                                                                 : QStringLiteral("MediaMTX failed")}},
                                  device);
            }
            m_events->publish(QStringLiteral("mediamtx.recording_stopped"), {{QStringLiteral("name"), device},
                                                                             {QStringLiteral("device"), device},
                                                                             {QStringLiteral("filename"), result.files.last()},
                                                                             {QStringLiteral("file_size"), QFileInfo(folderFor(device) + QLatin1Char('/') + result.files.last()).size()}},
                              device);
            Q_EMIT sessionStopped(result);
        });
        poll->start(200);
    });
}

void RecordingService::monitor()
{
    if (m_sessions.isEmpty())
        return;
    const bool full = m_storage->filesystemInfo().blocked;
    const QStringList devices = m_sessions.keys();
    for (const QString &device : devices) {
        Live *l = m_sessions.value(device);
        if (!l || l->stopping)
            continue;
        if (full) {
            finish(device, RecordingState::Error, QStringLiteral("storage_full"), [](const RecordingSession &, const CaptureError &) {});
            continue;
        }
        // New segments, or a new file after MediaMTX or the camera restarted.
        for (const QString &f : mp4Files(device)) {
            if (!l->isNew(f))
                continue;
            l->session.files << f;
            if (l->interruptedAtMs >= 0) {
                const qint64 gap = RecordingSession::monotonicMs() - l->interruptedAtMs;
                l->interruptedAtMs = -1;
                qCInfo(lcRecording) << "recording" << device << "resumed after" << gap << "ms in" << f;
                publishStatus(l->session, {{QStringLiteral("resumed"), true}, {QStringLiteral("gap_ms"), gap}, {QStringLiteral("files"), QJsonArray::fromStringList(l->session.files)}});
            }
            m_catalog->rescanNow();
        }
    }
}

void RecordingService::onCameraChanged(const cameras::Camera &camera)
{
    if (camera.status == QLatin1String("CONNECTED") || !m_sessions.contains(camera.id))
        return;
    finish(camera.id, RecordingState::Error, QStringLiteral("camera_disconnected"), [](const RecordingSession &, const CaptureError &) {});
}

void RecordingService::stopAll(const QString &reason, std::function<void()> done)
{
    const QStringList devices = m_sessions.keys();
    if (devices.isEmpty()) {
        done();
        return;
    }
    auto remaining = std::make_shared<int>(int(devices.size()));
    for (const QString &device : devices) {
        finish(device, RecordingState::Stopped, reason, [remaining, done](const RecordingSession &, const CaptureError &) {
            if (--*remaining == 0)
                done();
        });
    }
}

} // namespace station::media
