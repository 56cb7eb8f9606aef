#pragma once

#include <QHash>
#include <QObject>
#include <QQueue>
#include <QSet>
#include <QString>

namespace station::app {

// Small JPEG previews of recordings and snapshots, made once and kept in
// <state>/thumbnails keyed by path, size and mtime (so a grown or replaced
// file gets a new one). Snapshots are scaled with QImageReader on the thread
// pool; recordings get one frame from ffmpeg (a child process, never the UI
// thread). At most two jobs run at once so a full library does not starve
// the live wall.
class ThumbnailCache : public QObject
{
    Q_OBJECT
public:
    explicit ThumbnailCache(QString folder, QObject *parent = nullptr);

    // The file URL of the thumbnail when it exists; otherwise "" and a job is
    // queued, announced by ready().
    QString thumbnail(const QString &path, bool isVideo);
    QString folder() const { return m_folder; }
    static constexpr int kWidth = 320;

Q_SIGNALS:
    void ready(const QString &path, const QString &thumbnailUrl);

private:
    struct Job {
        QString source;
        QString target;
        bool video = false;
    };
    QString targetFor(const QString &path) const;
    void pump();
    void runFfmpeg(const Job &job, bool seek);
    void finished(const Job &job, bool ok);

    QString m_folder;
    QQueue<Job> m_queue;
    QSet<QString> m_pending;   // sources queued or running
    QSet<QString> m_failed;    // targets that could not be made (not retried this run)
    int m_running = 0;
};

} // namespace station::app
