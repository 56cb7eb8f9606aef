#include "controllers/CaptureController.h"

#include "api/UrlBuilder.h"
#include "config/Config.h"
#include "media/CaptureError.h"
#include "media/CaptureService.h"
#include "media/RecordingService.h"
#include "media/SnapshotService.h"

#include <QClipboard>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QPointer>
#include <QUrl>

namespace station::app {

CaptureController::CaptureController(const core::Services &services, QObject *parent)
    : QObject(parent), m_capture(services.capture), m_recordings(services.recordingService), m_urls(services.urls),
      m_config(services.config)
{
}

QString CaptureController::sentence(const media::CaptureError &e)
{
    using K = media::CaptureError::Kind;
    switch (e.kind) {
    case K::None:
        return {};
    case K::NotFound:
        return tr("This camera is no longer connected.");
    case K::InvalidState:
        if (e.state == QLatin1String("RECORDING"))
            return tr("This camera is already recording.");
        if (e.state == QLatin1String("IDLE"))
            return tr("This camera is not recording.");
        if (e.state == QLatin1String("DISCONNECTED") || e.state == QLatin1String("ERROR"))
            return tr("This camera is offline, so it cannot take pictures or record.");
        return e.detail.isEmpty() ? tr("The camera cannot do that right now.") : tr("The camera cannot do that right now: %1.").arg(e.detail);
    case K::Unsupported:
        return tr("This camera does not support %1.").arg(e.feature);
    case K::Dependency:
        switch (e.dependency) {
        case media::CaptureError::Dependency::MediaMtx:
            return tr("The media server is not running, so the camera cannot be reached. See the Status page.");
        case media::CaptureError::Dependency::Storage:
            return tr("The disk is too full to save this. Delete old recordings in the Library.");
        case media::CaptureError::Dependency::Camera:
            return tr("The camera is not sending pictures: %1.").arg(e.detail);
        }
        return e.detail;
    case K::InvalidInput:
        return tr("The request was not accepted: %1.").arg(e.detail);
    }
    return e.detail;
}

void CaptureController::setBusy(int delta)
{
    const bool before = busy();
    m_busy += delta;
    if (before != busy())
        Q_EMIT busyChanged();
}

template <typename Result>
std::function<void(const Result &, const media::CaptureError &)> CaptureController::whenDone(const QString &cameraId,
                                                                                            std::function<void(const Result &)> onSuccess)
{
    setBusy(+1);
    QPointer<CaptureController> self(this);
    return [self, cameraId, onSuccess](const Result &result, const media::CaptureError &e) {
        if (!self)
            return;
        self->setBusy(-1);
        if (e)
            Q_EMIT self->failed(cameraId, sentence(e));
        else
            onSuccess(result);
    };
}

void CaptureController::takeSnapshot(const QString &cameraId)
{
    m_capture->takeSnapshot(cameraId, QString(), whenDone<media::Snapshot>(cameraId, [this, cameraId](const media::Snapshot &s) {
        Q_EMIT snapshotTaken(cameraId, s.filename, QUrl::fromLocalFile(s.path).toString());
    }));
}

void CaptureController::startRecording(const QString &cameraId, int durationSeconds)
{
    const std::optional<qint64> duration = durationSeconds > 0 ? std::optional<qint64>(durationSeconds) : std::nullopt;
    m_capture->startRecording(cameraId, duration, QStringLiteral("fmp4"),
                              whenDone<media::RecordingSession>(cameraId, [this, cameraId](const media::RecordingSession &) {
                                  Q_EMIT recordingStarted(cameraId);
                              }));
}

void CaptureController::stopRecording(const QString &cameraId)
{
    m_capture->stopRecording(cameraId, whenDone<media::RecordingSession>(cameraId, [this, cameraId](const media::RecordingSession &s) {
        Q_EMIT recordingStopped(cameraId, s.files.isEmpty() ? QString() : QFileInfo(s.files.last()).fileName(), int(s.elapsedSeconds()));
    }));
}

bool CaptureController::isRecording(const QString &cameraId) const { return m_recordings->isRecording(cameraId); }

void CaptureController::copyToClipboard(const QString &text) const
{
    if (auto *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

QString CaptureController::lanHost(const QString &publicHost)
{
    if (!publicHost.isEmpty())
        return publicHost;
    // The address people on the LAN use: the first up, non-loopback IPv4.
    for (const QNetworkInterface &nic : QNetworkInterface::allInterfaces()) {
        if (!(nic.flags() & QNetworkInterface::IsUp) || (nic.flags() & QNetworkInterface::IsLoopBack))
            continue;
        for (const QNetworkAddressEntry &a : nic.addressEntries())
            if (a.ip().protocol() == QAbstractSocket::IPv4Protocol)
                return a.ip().toString();
    }
    return QStringLiteral("127.0.0.1");
}

QVariantMap CaptureController::streamUrls(const QString &cameraId) const
{
    if (!m_urls)
        return {};
    const QString host = lanHost(m_config ? m_config->string(QStringLiteral("server.public_host")) : QString());
    return m_urls->streams(cameraId, host, &api::UrlBuilder::localViewer()).toVariantMap();
}

} // namespace station::app
