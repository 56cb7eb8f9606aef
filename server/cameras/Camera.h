#pragma once

#include "cameras/V4l2DeviceInfo.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

namespace station::cameras {

// A camera as the service knows it (API.md §2.11). The device path, the
// identity key and the stream URL never leave the server except in the admin
// debug object (and the URL not even there: it may carry credentials).
struct Camera {
    QString id;               // cameraN
    QString status = QStringLiteral("DISCONNECTED");  // CONNECTED, DISCONNECTED, ERROR
    QString name;
    QString resolution;       // published "WxH"; last known when disconnected; "" if never known
    int fps = 0;              // published frame rate; 0 if never known
    QString sourceType;       // v4l2, rtsp, test
    QString identity;         // identity key (by-id name, normalised URL, test:<name>)
    QString devicePath;       // /dev/videoN for v4l2 (last known when disconnected)
    QStringList formats;
    QStringList resolutions;  // largest first
    QList<int> fpsOptions;    // descending
    QString validationStatus = QStringLiteral("NONE");  // CONFIRMED, DISCONNECTED, NONE (§5.3)
    QDateTime lastSeen;       // when it was last present (now-ish while present)

    // What the media side needs to publish it.
    QString inputFormat;      // v4l2: FourCC to capture (MJPG, H264 = stream copy, YUYV, ...)
    QSize captureSize;        // v4l2 and test: the published size (same as resolution)
    QString url;              // rtsp: full URL, credentials included: server-side only
    QString streamType;       // rtsp: generic_rtsp, skydio_stanag4609, ... (§11.2)
    QString errorReason;      // why status is ERROR
    std::optional<V4l2DeviceInfo> v4l2;  // raw probe result (get_metrics); v4l2 only

    int number() const { return id.mid(6).toInt(); }
    bool isPresent() const { return status != QLatin1String("DISCONNECTED"); }
    bool streamCopy() const { return inputFormat == QLatin1String("H264"); }  // no re-encode needed
};

// A network camera added at runtime (add_external_stream), persisted.
struct NetworkCamera {
    QString url;       // as given, credentials included (server-side only)
    QString identity;  // normalised URL without credentials
    QString name;
    QString type;      // stream_type
    QString id;        // cameraN
    QDateTime addedAt;
};

} // namespace station::cameras

Q_DECLARE_METATYPE(station::cameras::Camera)
