#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace station::test {

// Real media and plain files for integration tests, made with the installed ffmpeg.
namespace files {

// A fragmented MP4 (H.264, 25 fps) of exactly `seconds` seconds; false when ffmpeg failed.
bool makeMp4(const QString &path, int seconds, const QString &size = QStringLiteral("640x360"));
// A baseline JPEG of width x height.
bool makeJpeg(const QString &path, int width, int height);
// `size` pseudo-random (non-media) bytes; returns them.
QByteArray writeBytes(const QString &path, qint64 size, quint32 seed = 1);
// Copies src to dst, creating dst's folder.
bool copy(const QString &src, const QString &dst);
// Sets the modification (and access) time.
bool setMtime(const QString &path, const QDateTime &time);
QByteArray readAll(const QString &path);

} // namespace files
} // namespace station::test
