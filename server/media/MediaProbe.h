#pragma once

#include <QDateTime>
#include <QSize>
#include <QString>

#include <optional>

namespace station::media {

// Reads facts from media files themselves (libavformat for MP4, the JPEG
// header for snapshots). Thread-safe; no display needed.
namespace MediaProbe {

// Media duration in seconds (fractional) of an MP4 / fragmented MP4,
// including a file still being written (duration so far). nullopt when the
// file cannot be parsed.
std::optional<double> mp4Duration(const QString &path);

// The MP4 creation_time metadata, when present and plausible.
std::optional<QDateTime> mp4CreationTime(const QString &path);

// Width x height from a JPEG header; invalid QSize when not a JPEG.
QSize imageSize(const QString &path);

} // namespace MediaProbe

// Camera ID and capture time from the contract's name pattern
// `<device>_<YYYY-MM-DD>_<HH-MM-SS>-<ffffff>[_N].<ext>` (UTC), ext mp4|jpg|jpeg.
// MediaMTX's bare `<YYYY-MM-DD>_<HH-MM-SS>-<ffffff>.mp4` also gives the time
// (device empty: the catalog takes it from the per-camera folder).
struct ParsedName {
    QString device;        // "cameraN" or empty
    QDateTime created;     // invalid when the pattern does not match
};
ParsedName parseCaptureName(const QString &filename);

// The default name for a new capture: cameraN_YYYY-MM-DD_HH-MM-SS-ffffff.<ext>
// `extension` with or without the leading dot.
QString captureName(const QString &device, const QDateTime &utc, const QString &extension);
// Same with a real microsecond time (since the Unix epoch, UTC).
QString captureName(const QString &device, qint64 usecSinceEpoch, const QString &extension);

} // namespace station::media
