#pragma once

#include "media/FileEntry.h"

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace station::media {

// The index of one flat file namespace (recordings or snapshots): files at
// the top level of `rootDir` or one level down (per-camera folders), put
// there by anyone. Built in a background thread at start, kept current with
// QFileSystemWatcher plus a periodic rescan, sorted newest first
// (created desc, then filename desc). Recording durations are read from the
// files (MediaProbe) in the background and cached by (size, mtime).
class FileCatalog : public QObject
{
    Q_OBJECT
public:
    FileCatalog(FileKind kind, QString rootDir, QObject *parent = nullptr);
    ~FileCatalog() override;

    FileKind kind() const { return m_kind; }
    QString rootDir() const { return m_root; }

    void start();              // background initial scan; returns at once
    bool isReady() const;      // initial scan done
    void waitReady();          // blocks until the initial scan is done (tests, first list call)
    void rescanNow();          // synchronous rescan (after our own writes)

    struct Page {
        QList<FileEntry> files;
        qint64 total = 0;
        QString error;  // non-empty: the folder could not be read (-32050 storage)
    };
    // Newest first; `device` empty: all. Rescans first when the catalog is stale.
    Page list(const QString &device, qint64 limit, qint64 offset);

    // Resolves a validated filename (extension-less recording names resolve to
    // name + ".mp4"). Fresh stat of the file; nullopt when it does not exist.
    std::optional<FileEntry> find(const QString &filename);

    // Duration in whole seconds read from the media itself (probes now if not cached).
    std::optional<qint64> duration(const FileEntry &entry);

    // Deletes the file; false with an error sentence when it cannot.
    bool remove(const QString &filename, QString *error);

    // Where a new file for `device` with `filename` goes (top level of rootDir).
    QString pathFor(const QString &filename) const;

    // Files that must not be deleted by retention (recordings in progress).
    void setProtectedPredicate(std::function<bool(const FileEntry &)> isProtected);
    bool isProtected(const FileEntry &entry) const;

    qint64 totalBytes();
    qint64 count();
    QList<FileEntry> all();  // newest first
    QString lastError() const;  // empty when the last scan could read the folder

Q_SIGNALS:
    void changed();  // the set of files changed (added, removed, grew)

private:
    struct Private;
    std::unique_ptr<Private> d;
    FileKind m_kind;
    QString m_root;
};

} // namespace station::media
