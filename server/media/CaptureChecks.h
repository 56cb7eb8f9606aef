#pragma once

#include "media/CaptureError.h"

namespace station::cameras { struct Camera; }
namespace station::mediamtx { class MediaMtxSupervisor; }
namespace station::media { struct StorageInfo; }

namespace station::media {

// The preconditions every capture verb shares, in the contract's order:
// the camera is usable, MediaMTX is up, and (for writes) storage has room.
CaptureError checkCameraUsable(const cameras::Camera &camera);
CaptureError checkMediaMtx(const mediamtx::MediaMtxSupervisor &mediamtx);
CaptureError checkStorage(const media::StorageInfo &info, const QString &what);  // what: "recordings" / "snapshots"

} // namespace station::media
