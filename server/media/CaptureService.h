#pragma once

#include "media/CameraQueue.h"
#include "media/CaptureError.h"

#include <QString>

#include <functional>
#include <optional>

namespace station::media {

class RecordingService;
class SnapshotService;
struct RecordingSession;
struct Snapshot;

// The capture verbs, called by both doors (the take_snapshot/start_recording/
// stop_recording handlers and the kiosk's CaptureController): the same input
// checks, the same per-camera order (API.md §2.2: operations on one camera run
// in the order received, different cameras independently) and the same typed
// errors. Input errors are answered at once, before the verb takes its place
// in the camera's queue; everything else is decided by the services in turn.
class CaptureService
{
public:
    CaptureService(SnapshotService *snapshots, RecordingService *recordings);

    // The bounds of a timed recording, in seconds.
    static constexpr qint64 kMinRecordingSeconds = 1;
    static constexpr qint64 kMaxRecordingSeconds = 86400;

    using SnapshotDone = std::function<void(const Snapshot &, const CaptureError &)>;
    using RecordingDone = std::function<void(const RecordingSession &, const CaptureError &)>;

    // name: "" for the default name; else a file name (.jpg added when it has no extension).
    void takeSnapshot(const QString &device, const QString &name, SnapshotDone done);
    // durationSeconds: nullopt records until stopped (or recording.max_duration_s);
    // format: fmp4 or mp4 (mkv is refused as unsupported).
    void startRecording(const QString &device, std::optional<qint64> durationSeconds, const QString &format, RecordingDone done);
    void stopRecording(const QString &device, RecordingDone done);

    // Other per-camera operations (streaming) take their place in the same order.
    CameraQueue &queue() { return m_queue; }

    // The input rules of the verbs; a default CaptureError when the input is fine.
    static CaptureError checkSnapshotName(const QString &name);
    static CaptureError checkRecordingRequest(std::optional<qint64> durationSeconds, const QString &format);

private:
    SnapshotService *m_snapshots;
    RecordingService *m_recordings;
    CameraQueue m_queue;
};

} // namespace station::media
