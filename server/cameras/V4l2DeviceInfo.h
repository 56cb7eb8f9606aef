#pragma once

#include <QList>
#include <QSize>
#include <QString>
#include <QStringList>

namespace station::cameras {

// One frame size of a pixel format with the frame rates the driver offers for it.
struct V4l2FrameSize {
    int width = 0;
    int height = 0;
    QList<double> fps;  // descending

    QString text() const { return QStringLiteral("%1x%2").arg(width).arg(height); }
};

// One pixel format (FourCC) of a capture node, sizes largest first.
struct V4l2Format {
    QString fourcc;       // "YUYV", "MJPG", "H264", ...
    QString description;  // driver's text, e.g. "Motion-JPEG"
    QList<V4l2FrameSize> sizes;
};

// What the media side needs to publish a local camera.
struct V4l2CaptureChoice {
    QString format;  // FourCC handed to the capture pipeline
    QSize size;      // invalid when nothing is known
    int fps = 0;     // 0 when the driver reported no frame rates
};

// What VIDIOC_QUERYCAP and the format enumeration report for one capture node
// (get_metrics shows it, get_camera_capabilities is derived from it).
struct V4l2DeviceInfo {
    QString devicePath;
    QString card;      // card name, e.g. "HD Pro Webcam C920"
    QString driver;    // e.g. "uvcvideo"
    QString busInfo;   // e.g. "usb-0000:00:14.0-2"
    QString version;   // "x.y.z"
    QStringList capabilities;  // flag names of the whole device
    QStringList deviceCaps;    // flag names of this node
    QList<V4l2Format> formats;

    QStringList formatNames() const;   // driver order
    QStringList resolutions() const;   // "WxH", all formats, largest first, unique
    QList<int> fpsOptions() const;     // all formats and sizes, rounded, descending, unique

    // Published mode: MJPG when offered (cheap to decode), H264 (stream copy),
    // else YUYV, else the first format; the largest size within 1920x1080; the
    // highest rate up to 30 fps. Config overrides (size > 0, fps > 0) win.
    V4l2CaptureChoice chooseCapture(QSize wantedSize = {}, int wantedFps = 0) const;
};

} // namespace station::cameras
