#pragma once

#include <QDateTime>
#include <QString>

#include <optional>

namespace station::media {

enum class FileKind { Recording, Snapshot };

// One file of a flat namespace (API.md §2.10): the name is unique within its
// kind whatever sub-folder (per camera) it lives in.
struct FileEntry {
    QString filename;       // name with extension, unique in its namespace
    QString absolutePath;   // never sent to remote clients except take_snapshot's file_path
    qint64 size = 0;
    QDateTime modified;     // UTC
    QDateTime created;      // UTC: name pattern, else MP4 creation time, else mtime
    QString device;         // "cameraN" or empty when unknown
    std::optional<qint64> durationSeconds;  // recordings: media duration once probed
    QString sessionId;      // recordings: the session that wrote it, when known
};

} // namespace station::media
