#include "models/ThumbnailCache.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QLoggingCategory>
#include <QPointer>
#include <QProcess>
#include <QSaveFile>
#include <QThreadPool>
#include <QUrl>

Q_LOGGING_CATEGORY(lcThumbs, "station.ui.thumbnails")

namespace station::app {

namespace {
constexpr int kMaxRunning = 2;

bool scaleJpeg(const QString &source, const QString &target)
{
    QImageReader reader(source);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (size.isValid() && size.width() > ThumbnailCache::kWidth)
        reader.setScaledSize(size.scaled(ThumbnailCache::kWidth, ThumbnailCache::kWidth * 4, Qt::KeepAspectRatio));
    const QImage image = reader.read();
    if (image.isNull())
        return false;
    QSaveFile out(target);  // never leave a half-written thumbnail behind
    return out.open(QIODevice::WriteOnly) && image.save(&out, "JPEG", 80) && out.commit();
}
} // namespace

ThumbnailCache::ThumbnailCache(QString folder, QObject *parent) : QObject(parent), m_folder(std::move(folder))
{
    QDir().mkpath(m_folder);
}

QString ThumbnailCache::targetFor(const QString &path) const
{
    const QFileInfo fi(path);
    const QByteArray key = path.toUtf8() + '|' + QByteArray::number(fi.size()) + '|'
        + QByteArray::number(fi.lastModified().toMSecsSinceEpoch());
    return m_folder + QLatin1Char('/') + QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha1).toHex()) + QStringLiteral(".jpg");
}

QString ThumbnailCache::thumbnail(const QString &path, bool isVideo)
{
    if (path.isEmpty())
        return {};
    const QString target = targetFor(path);
    if (QFileInfo::exists(target))
        return QUrl::fromLocalFile(target).toString();
    if (!m_pending.contains(path) && !m_failed.contains(target)) {
        m_pending.insert(path);
        m_queue.enqueue({path, target, isVideo});
        pump();
    }
    return {};
}

void ThumbnailCache::pump()
{
    while (m_running < kMaxRunning && !m_queue.isEmpty()) {
        const Job job = m_queue.dequeue();
        ++m_running;
        QPointer<ThumbnailCache> self(this);
        if (!job.video) {
            QThreadPool::globalInstance()->start([self, job] {
                const bool ok = scaleJpeg(job.source, job.target);
                QMetaObject::invokeMethod(qApp, [self, job, ok] {
                    if (self)
                        self->finished(job, ok);
                });
            });
            continue;
        }
        runFfmpeg(job, true);
    }
}

void ThumbnailCache::runFfmpeg(const Job &job, bool seek)
{
    // One second in skips the black first frame of most encoders; a
    // recording shorter than that is retried at its first frame.
    auto *p = new QProcess(this);
    const QString tmp = job.target + QStringLiteral(".part.jpg");
    QStringList args{QStringLiteral("-hide_banner"), QStringLiteral("-loglevel"), QStringLiteral("error"), QStringLiteral("-nostdin"), QStringLiteral("-y")};
    if (seek)
        args << QStringLiteral("-ss") << QStringLiteral("1");
    args << QStringLiteral("-i") << job.source << QStringLiteral("-frames:v") << QStringLiteral("1") << QStringLiteral("-vf")
         << QStringLiteral("scale=%1:-2").arg(kWidth) << tmp;
    connect(p, &QProcess::finished, this, [this, p, job, tmp, seek](int code, QProcess::ExitStatus status) {
        p->deleteLater();
        const bool made = status == QProcess::NormalExit && code == 0 && QFileInfo(tmp).size() > 0;
        if (!made && seek) {
            runFfmpeg(job, false);
            return;
        }
        const bool ok = made && QFile::rename(tmp, job.target);
        QFile::remove(tmp);
        finished(job, ok);
    });
    connect(p, &QProcess::errorOccurred, this, [this, p, job](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        p->deleteLater();
        qCWarning(lcThumbs) << "ffmpeg is not installed: recordings get no thumbnails";
        finished(job, false);
    });
    p->start(QStringLiteral("ffmpeg"), args);
}

void ThumbnailCache::finished(const Job &job, bool ok)
{
    --m_running;
    m_pending.remove(job.source);
    if (ok)
        Q_EMIT ready(job.source, QUrl::fromLocalFile(job.target).toString());
    else
        m_failed.insert(job.target);
    pump();
}

} // namespace station::app
