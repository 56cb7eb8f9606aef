#include "media/CaptureChecks.h"

#include "cameras/Camera.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "media/StorageService.h"

namespace station::media {

CaptureError checkCameraUsable(const cameras::Camera &camera)
{
    if (camera.status == QLatin1String("CONNECTED"))
        return {};
    return CaptureError::invalidState(camera.status, {QStringLiteral("CONNECTED")}, QStringLiteral("the camera is not connected"));
}

CaptureError checkMediaMtx(const mediamtx::MediaMtxSupervisor &mediamtx)
{
    if (mediamtx.available())
        return {};
    return CaptureError::dependencyFailed(CaptureError::Dependency::MediaMtx, QStringLiteral("MediaMTX is not available"));
}

CaptureError checkStorage(const media::StorageInfo &info, const QString &what)
{
    if (info.blocked)
        return CaptureError::dependencyFailed(CaptureError::Dependency::Storage, QStringLiteral("storage is full"));
    if (!info.writable)
        return CaptureError::dependencyFailed(CaptureError::Dependency::Storage, QStringLiteral("%1 folder not writable").arg(what));
    return {};
}

} // namespace station::media
