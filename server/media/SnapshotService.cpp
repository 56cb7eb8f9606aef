#include "media/SnapshotService.h"

#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "events/EventBus.h"
#include "health/MetricsRegistry.h"
#include "media/CaptureChecks.h"
#include "media/FileCatalog.h"
#include "media/LiveReader.h"
#include "media/MediaProbe.h"
#include "media/ReaderPool.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "media/StorageService.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QImageWriter>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>
#include <QtConcurrent>

#include <QTimeZone>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcSnapshot, "station.media.snapshot")

namespace station::media {

namespace {

struct Encoded {
    QByteArray jpeg;
    QSize size;
    QString path;
    QString error;
    CaptureError::Dependency dependency = CaptureError::Dependency::Camera;
};

} // namespace

SnapshotService::SnapshotService(const config::Config &config, cameras::CameraRegistry *cameras, mediamtx::MediaMtxSupervisor *mediamtx,
                                 ReaderPool *readers, FileCatalog *catalog, media::StorageService *storage, events::EventBus *events,
                                 health::MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_config(config), m_cameras(cameras), m_mediamtx(mediamtx), m_readers(readers), m_catalog(catalog),
      m_storage(storage), m_events(events), m_metrics(metrics)
{
    using T = health::MetricsRegistry::Type;
    m_metrics->declare(QStringLiteral("camera_station_snapshots_total"), T::Counter, QStringLiteral("snapshots by result"));
    m_metrics->declare(QStringLiteral("camera_station_snapshot_duration_seconds"), T::Histogram, QStringLiteral("time to take a snapshot"),
                       {0.05, 0.1, 0.2, 0.3, 0.5, 1, 1.5, 2.5, 5, 10});
}

QString SnapshotService::writeUnique(const QString &folder, const QString &name, const QByteArray &jpeg, QString *error)
{
    const QFileInfo fi(name);
    const QString base = fi.completeBaseName();
    const QString ext = fi.suffix().isEmpty() ? QString() : QLatin1Char('.') + fi.suffix();
    for (int n = 0; n < 10000; ++n) {
        const QString candidate = n == 0 ? name : QStringLiteral("%1_%2%3").arg(base).arg(n).arg(ext);
        const QString path = folder + QLatin1Char('/') + candidate;
        // O_EXCL: two snapshots in the same microsecond can never overwrite each other.
        const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            *error = QString::fromLocal8Bit(std::strerror(errno));
            return {};
        }
        qsizetype written = 0;
        while (written < jpeg.size()) {
            const ssize_t w = ::write(fd, jpeg.constData() + written, size_t(jpeg.size() - written));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                *error = QString::fromLocal8Bit(std::strerror(errno));
                ::close(fd);
                ::unlink(QFile::encodeName(path).constData());  // never leave half a JPEG
                return {};
            }
            written += w;
        }
        if (::fsync(fd) != 0 || ::close(fd) != 0) {
            *error = QString::fromLocal8Bit(std::strerror(errno));
            ::unlink(QFile::encodeName(path).constData());
            return {};
        }
        return path;
    }
    *error = QStringLiteral("no free name");
    return {};
}

void SnapshotService::fail(const QString &device, const CaptureError &error, const Done &done)
{
    m_metrics->add(QStringLiteral("camera_station_snapshots_total"), health::MetricsRegistry::label(QStringLiteral("result"), QStringLiteral("error")));
    if (error.kind == CaptureError::Kind::Dependency) {
        m_events->publish(QStringLiteral("snapshot.error"), {{QStringLiteral("device"), device},
                                                             {QStringLiteral("reason"), dependencyName(error.dependency)},
                                                             {QStringLiteral("detail"), error.detail}}, device);
    }
    done(Snapshot(), error);
}

void SnapshotService::take(const QString &device, const QString &requestedName, Done done)
{
    const std::optional<cameras::Camera> cam = m_cameras->find(device);
    if (!cam) {
        done(Snapshot(), CaptureError::notFound());
        return;
    }
    if (const CaptureError e = checkCameraUsable(*cam)) {
        done(Snapshot(), e);
        return;
    }
    for (const CaptureError &e : {checkMediaMtx(*m_mediamtx), checkStorage(m_storage->filesystemInfo(), QStringLiteral("snapshots"))}) {
        if (e) {
            fail(device, e, done);
            return;
        }
    }
    const qint64 nowUs = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowUs / 1000, Qt::UTC);
    QString name = requestedName;
    if (name.isEmpty())
        name = captureName(device, nowUs, QStringLiteral("jpg"));
    else if (QFileInfo(name).suffix().isEmpty())
        name += QStringLiteral(".jpg");
    capture(device, name, now, std::move(done));
}

void SnapshotService::capture(const QString &device, const QString &name, const QDateTime &started, Done done)
{
    static quint64 counter = 0;
    const QString holder = QStringLiteral("snapshot-%1").arg(++counter);
    LiveReader *reader = m_readers->acquire(device, holder);
    QElapsedTimer clock;
    clock.start();

    auto finishWith = [this, device, holder, clock, done](const Snapshot &s, const CaptureError &e) {
        m_readers->release(device, holder, true);  // warm for the next snapshot
        if (e) {
            fail(device, e, done);
            return;
        }
        m_metrics->add(QStringLiteral("camera_station_snapshots_total"), health::MetricsRegistry::label(QStringLiteral("result"), QStringLiteral("success")));
        m_metrics->observe(QStringLiteral("camera_station_snapshot_duration_seconds"), {}, double(clock.nsecsElapsed()) / 1e9);
        m_catalog->rescanNow();
        m_events->publish(QStringLiteral("snapshot.taken"), {{QStringLiteral("device"), s.device},
                                                             {QStringLiteral("filename"), s.filename},
                                                             {QStringLiteral("file_size"), s.fileSize},
                                                             {QStringLiteral("resolution"), QStringLiteral("%1x%2").arg(s.resolution.width()).arg(s.resolution.height())}},
                          device);
        Q_EMIT snapshotTaken(s);
        done(s, CaptureError());
    };

    const int maxW = m_config.integer32(QStringLiteral("snapshots.max_width"));
    const int maxH = m_config.integer32(QStringLiteral("snapshots.max_height"));
    const int quality = m_config.integer32(QStringLiteral("snapshots.quality"));
    const QString folder = m_catalog->rootDir();
    auto encode = [this, reader, name, started, device, folder, maxW, maxH, quality, finishWith] {
        auto *watcher = new QFutureWatcher<Encoded>(this);
        connect(watcher, &QFutureWatcher<Encoded>::finished, this, [watcher, name, started, device, finishWith] {
            watcher->deleteLater();
            const Encoded r = watcher->result();
            if (!r.error.isEmpty()) {
                finishWith(Snapshot(), CaptureError::dependencyFailed(r.dependency, r.error));
                return;
            }
            Snapshot s;
            s.device = device;
            s.path = r.path;
            s.filename = QFileInfo(r.path).fileName();
            s.timestamp = started;
            s.fileSize = QFileInfo(r.path).size();
            s.resolution = r.size;
            finishWith(s, CaptureError());
        });
        watcher->setFuture(QtConcurrent::run([reader, name, folder, maxW, maxH, quality]() -> Encoded {
            Encoded out;
            QImage image = reader->latestFrame(&out.error);
            if (image.isNull())
                return out;
            if (image.width() > maxW || image.height() > maxH)
                image = image.scaled(maxW, maxH, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            QBuffer buffer(&out.jpeg);
            buffer.open(QIODevice::WriteOnly);
            QImageWriter writer(&buffer, "jpg");
            writer.setQuality(quality);
            if (!writer.write(image)) {
                out.error = QStringLiteral("JPEG encoding failed: ") + writer.errorString();
                return out;
            }
            out.size = image.size();
            out.path = writeUnique(folder, name, out.jpeg, &out.error);
            if (out.path.isEmpty())
                out.dependency = CaptureError::Dependency::Storage;
            return out;
        }));
    };

    if (reader->hasPicture()) {
        encode();
        return;
    }
    // Cold: wait for the first picture, within the snapshot deadline.
    auto *timeout = new QTimer(this);
    timeout->setSingleShot(true);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(reader, &LiveReader::pictureAvailable, this, [timeout, connection, encode] {
        QObject::disconnect(*connection);
        timeout->stop();
        timeout->deleteLater();
        encode();
    });
    connect(timeout, &QTimer::timeout, this, [this, timeout, connection, finishWith] {
        QObject::disconnect(*connection);
        timeout->deleteLater();
        finishWith(Snapshot(), CaptureError::dependencyFailed(CaptureError::Dependency::Camera,
            QStringLiteral("timeout after %1 s").arg(m_config.integer(QStringLiteral("snapshots.timeout_s")))));
    });
    timeout->start(m_config.integer32(QStringLiteral("snapshots.timeout_s")) * 1000);
}

} // namespace station::media
