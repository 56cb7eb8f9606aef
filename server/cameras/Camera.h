#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace station::cameras {

// A camera as the service knows it (API.md §2.11). The device path and the
// identity key never leave the server except in the admin debug object.
struct Camera {
    QString id;               // cameraN
    QString status = QStringLiteral("DISCONNECTED");  // CONNECTED, DISCONNECTED, ERROR
    QString name;
    QString resolution;       // "WxH" or ""
    int fps = 0;
    QString sourceType;       // v4l2, rtsp, test
    QString identity;         // identity key (by-id name, normalised URL, test:<name>)
    QString devicePath;       // /dev/videoN for v4l2
    QString inputFormat;      // v4l2 capture format chosen for publishing: MJPG, H264, YUYV
    QString sourceUrl;        // rtsp: full URL with credentials (server-side only)
    QStringList formats;
    QStringList resolutions;  // largest first
    QList<int> fpsOptions;    // descending
    QString validationStatus = QStringLiteral("NONE");
    QDateTime lastSeen;

    int number() const { return id.mid(6).toInt(); }
};

} // namespace station::cameras
