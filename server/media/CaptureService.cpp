#include "media/CaptureService.h"

#include "media/FilenameRules.h"
#include "media/RecordingService.h"
#include "media/SnapshotService.h"

#include <QFileInfo>

namespace station::media {

CaptureService::CaptureService(SnapshotService *snapshots, RecordingService *recordings)
    : m_snapshots(snapshots), m_recordings(recordings)
{
}

CaptureError CaptureService::checkSnapshotName(const QString &name)
{
    const QString input = QStringLiteral("filename");
    if (name.isEmpty())
        return {};
    const QString rule = filenameRuleViolation(name);
    if (!rule.isEmpty()) {
        const std::optional<qint64> limit = rule == QLatin1String("max_bytes") ? std::optional<qint64>(kMaxFilenameBytes) : std::nullopt;
        return CaptureError::invalidInput(input, rule, filenameRuleHint(rule), limit);
    }
    const QString ext = QFileInfo(name).suffix().toLower();
    if (!ext.isEmpty() && ext != QLatin1String("jpg") && ext != QLatin1String("jpeg"))
        return CaptureError::invalidInput(input, QStringLiteral("extension"), filenameRuleHint(QStringLiteral("extension")));
    return {};
}

CaptureError CaptureService::checkRecordingRequest(std::optional<qint64> durationSeconds, const QString &format)
{
    if (durationSeconds) {
        const QString input = QStringLiteral("duration");
        const QString range = QStringLiteral("duration must be %1..%2").arg(kMinRecordingSeconds).arg(kMaxRecordingSeconds);
        if (*durationSeconds < kMinRecordingSeconds)
            return CaptureError::invalidInput(input, QStringLiteral("min"), range, kMinRecordingSeconds);
        if (*durationSeconds > kMaxRecordingSeconds)
            return CaptureError::invalidInput(input, QStringLiteral("max"), range, kMaxRecordingSeconds);
    }
    // mkv passes here: it is a known format the station does not write, refused
    // (Unsupported) by RecordingService in the camera's turn.
    if (format != QLatin1String("fmp4") && format != QLatin1String("mp4") && format != QLatin1String("mkv"))
        return CaptureError::invalidInput(QStringLiteral("format"), QStringLiteral("enum"), QStringLiteral("format must be fmp4 or mp4"));
    return {};
}

// Each verb's result is handed over before the camera's next operation starts,
// so results on one camera also arrive in the order the verbs were called.
void CaptureService::takeSnapshot(const QString &device, const QString &name, SnapshotDone done)
{
    if (const CaptureError e = checkSnapshotName(name))
        return done(Snapshot(), e);
    SnapshotService *snapshots = m_snapshots;
    m_queue.run(device, [snapshots, device, name, done = std::move(done)](CameraQueue::Next next) {
        snapshots->take(device, name, [done, next](const Snapshot &s, const CaptureError &e) {
            done(s, e);
            next();
        });
    });
}

void CaptureService::startRecording(const QString &device, std::optional<qint64> durationSeconds, const QString &format, RecordingDone done)
{
    if (const CaptureError e = checkRecordingRequest(durationSeconds, format))
        return done(RecordingSession(), e);
    RecordingService *recordings = m_recordings;
    m_queue.run(device, [recordings, device, durationSeconds, format, done = std::move(done)](CameraQueue::Next next) {
        recordings->start(device, durationSeconds, format, [done, next](const RecordingSession &r, const CaptureError &e) {
            done(r, e);
            next();
        });
    });
}

void CaptureService::stopRecording(const QString &device, RecordingDone done)
{
    RecordingService *recordings = m_recordings;
    m_queue.run(device, [recordings, device, done = std::move(done)](CameraQueue::Next next) {
        recordings->stop(device, [done, next](const RecordingSession &r, const CaptureError &e) {
            done(r, e);
            next();
        });
    });
}

} // namespace station::media
