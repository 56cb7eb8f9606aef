#pragma once

#include "core/Services.h"

#include <QObject>
#include <QString>
#include <QVariantMap>

#include <functional>

namespace station::media { struct CaptureError; class CaptureService; class RecordingService; }
namespace station::api { class UrlBuilder; }
namespace station::config { class Config; }

namespace station::app {

// The camera view's verbs: the same CaptureService verbs the take_snapshot /
// start_recording / stop_recording handlers call, so the kiosk's requests get
// the same checks and take their place in the same per-camera order. Results
// come back as signals with sentences for people.
class CaptureController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
public:
    explicit CaptureController(const core::Services &services, QObject *parent = nullptr);

    bool busy() const { return m_busy > 0; }

    Q_INVOKABLE void takeSnapshot(const QString &cameraId);
    // durationSeconds <= 0: until stopped.
    Q_INVOKABLE void startRecording(const QString &cameraId, int durationSeconds);
    Q_INVOKABLE void stopRecording(const QString &cameraId);
    Q_INVOKABLE bool isRecording(const QString &cameraId) const;
    Q_INVOKABLE void copyToClipboard(const QString &text) const;
    // {rtsp, hls, webrtc} as other machines on the network reach them.
    Q_INVOKABLE QVariantMap streamUrls(const QString &cameraId) const;
    static QString lanHost(const QString &publicHost);

    static QString sentence(const media::CaptureError &error);

Q_SIGNALS:
    void busyChanged();
    // fileUrl: file:// URL of the JPEG, for the thumbnail toast.
    void snapshotTaken(const QString &cameraId, const QString &filename, const QString &fileUrl);
    void recordingStarted(const QString &cameraId);
    void recordingStopped(const QString &cameraId, const QString &filename, int seconds);
    void failed(const QString &cameraId, const QString &message);

private:
    void setBusy(int delta);
    // The callback a verb reports to: busy until it runs, then `failed` with a
    // sentence or onSuccess (only while this controller lives).
    template <typename Result>
    std::function<void(const Result &, const media::CaptureError &)> whenDone(const QString &cameraId,
                                                                              std::function<void(const Result &)> onSuccess);
    media::CaptureService *m_capture;
    media::RecordingService *m_recordings;
    api::UrlBuilder *m_urls;
    const config::Config *m_config;
    int m_busy = 0;
};

} // namespace station::app
