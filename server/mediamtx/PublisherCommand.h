#pragma once

#include "cameras/Camera.h"

#include <QString>

namespace station::mediamtx {

// The ffmpeg command MediaMTX runs on demand to publish a local camera
// (v4l2 or test pattern) to its own path: browser-safe H.264 (yuv420p,
// zerolatency, GOP = fps), MJPEG input preferred, stream copy for H.264
// cameras. MediaMTX substitutes $RTSP_PORT and $MTX_PATH. Empty for network
// cameras, which MediaMTX pulls itself.
QString publisherCommand(const cameras::Camera &camera);

} // namespace station::mediamtx
