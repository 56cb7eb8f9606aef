#pragma once

#include "cameras/Camera.h"

#include <QString>

namespace station::mediamtx {

// The ffmpeg command MediaMTX runs on demand to publish a local camera
// (v4l2 or test pattern) to its own path: browser-safe H.264 (yuv420p,
// zerolatency, GOP = fps), MJPEG input preferred, stream copy for H.264
// cameras. MediaMTX substitutes $RTSP_PORT and $MTX_PATH. Empty for network
// cameras, which MediaMTX pulls itself. Arguments are quoted for MediaMTX's
// split (shell-quote rules, then $VAR expansion per argument), so a device
// path with spaces, quotes, backslashes or '$' reaches ffmpeg unchanged.
QString publisherCommand(const cameras::Camera &camera);

// Set to "$" in MediaMTX's environment: a literal '$' in an argument is
// written as ${STATION_LITERAL_DOLLAR} (os.Expand knows no escape).
inline constexpr const char *kLiteralDollarVariable = "STATION_LITERAL_DOLLAR";

} // namespace station::mediamtx
