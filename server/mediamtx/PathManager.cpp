#include "mediamtx/PathManager.h"

#include "cameras/CameraRegistry.h"
#include "events/EventBus.h"
#include "mediamtx/MediaMtxApiClient.h"
#include "mediamtx/MediaMtxSupervisor.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcMediaMtx)

namespace station::mediamtx {

PathManager::PathManager(MediaMtxSupervisor *supervisor, cameras::CameraRegistry *cameras, events::EventBus *events, QObject *parent)
    : QObject(parent), m_supervisor(supervisor), m_cameras(cameras), m_events(events)
{
    m_pollTimer.setInterval(1000);
    connect(&m_pollTimer, &QTimer::timeout, this, &PathManager::poll);
    m_pollTimer.start();
    connect(supervisor, &MediaMtxSupervisor::ready, this, &PathManager::syncAll);
    connect(supervisor, &MediaMtxSupervisor::publisherExited, this, &PathManager::onPublisherExited);
    connect(supervisor, &MediaMtxSupervisor::sourceFailed, this, &PathManager::onSourceFailed);
    connect(supervisor, &MediaMtxSupervisor::unavailable, this, [this] {
        m_applied.clear();
        for (auto it = m_status.begin(); it != m_status.end(); ++it) {
            if (it->ready) {
                it->ready = false;
                it->readers = 0;
                m_events->publish(QStringLiteral("mediamtx.stream_stopped"), streamJson(*it), it.key());
                Q_EMIT pathStatusChanged(it.key());
            }
        }
    });
    connect(cameras, &cameras::CameraRegistry::cameraChanged, this, [this](const cameras::Camera &camera, const QString &) {
        if (m_supervisor->available())
            syncCamera(camera);
    });
}

QList<PathSpec> PathManager::desiredPaths() const
{
    QList<PathSpec> paths;
    for (const cameras::Camera &c : m_cameras->cameras()) {
        const PathSpec p = pathSpecFor(c, m_recording.contains(c.id));
        if (pathRefusal(p).isEmpty())  // the camera is in ERROR with the reason (CameraRegistry)
            paths << p;
    }
    return paths;
}

void PathManager::syncAll()
{
    // The launch config already carries every camera; adopt it, then
    // reconcile anything that changed while MediaMTX was starting.
    m_applied.clear();
    for (const PathSpec &p : desiredPaths())
        m_applied.insert(p.name, p);
    m_supervisor->api()->get(QStringLiteral("/v3/config/paths/list?itemsPerPage=1000"), [this](const MediaMtxApiClient::Response &r) {
        if (!r.ok())
            return;
        QSet<QString> present;
        for (const QJsonValue &v : r.body.object().value(QLatin1String("items")).toArray())
            present.insert(v.toObject().value(QLatin1String("name")).toString());
        for (const cameras::Camera &c : m_cameras->cameras()) {
            if (!present.contains(c.id))
                m_applied.remove(c.id);
            syncCamera(c);
        }
        for (const QString &name : present) {
            if (!m_cameras->find(name)) {
                m_supervisor->api()->del(QStringLiteral("/v3/config/paths/delete/") + name, [](const MediaMtxApiClient::Response &) {});
            }
        }
    });
    poll();
}

void PathManager::syncCamera(const cameras::Camera &camera)
{
    const PathSpec want = pathSpecFor(camera, m_recording.contains(camera.id));
    if (const QString why = pathRefusal(want); !why.isEmpty()) {
        // MediaMTX would answer 400 (or exit at its next start): never send it.
        if (m_applied.remove(camera.id) > 0)
            m_supervisor->api()->del(QStringLiteral("/v3/config/paths/delete/") + camera.id, [](const MediaMtxApiClient::Response &) {});
        qCWarning(lcMediaMtx).noquote() << "path" << camera.id << "not configured:" << why;
        return;
    }
    auto it = m_applied.constFind(camera.id);
    if (it != m_applied.constEnd() && *it == want)
        return;
    const bool onlyRecordDiffers = it != m_applied.constEnd() && [&] {
        PathSpec a = *it;
        a.record = want.record;
        return a == want;
    }();
    m_applied.insert(camera.id, want);
    if (onlyRecordDiffers) {
        // record is applied live; any other change would drop the path's readers.
        m_supervisor->api()->patch(QStringLiteral("/v3/config/paths/patch/") + camera.id, {{QStringLiteral("record"), want.record}},
                                   [](const MediaMtxApiClient::Response &) {});
        return;
    }
    const QString name = camera.id;
    m_supervisor->api()->post(QStringLiteral("/v3/config/paths/replace/") + name, want.toJson(), [this, name](const MediaMtxApiClient::Response &r) {
        if (!r.ok()) {
            qCWarning(lcMediaMtx).noquote() << "could not configure path" << name << ":" << r.error;
            m_applied.remove(name);
            m_events->publish(QStringLiteral("mediamtx.error"), {{QStringLiteral("reason"), QStringLiteral("rejected")},
                                                                 {QStringLiteral("detail"), r.error},
                                                                 {QStringLiteral("name"), name}});
            return;
        }
        QJsonObject created = streamJson(status(name));
        created.insert(QStringLiteral("action"), QStringLiteral("created"));
        m_events->publish(QStringLiteral("mediamtx.path"), created,
                          name);
    });
}

void PathManager::setRecording(const QString &device, bool on, std::function<void(bool, const QString &)> done)
{
    if (on)
        m_recording.insert(device);
    else
        m_recording.remove(device);
    if (!m_supervisor->available()) {
        done(false, QStringLiteral("MediaMTX is not available"));
        return;
    }
    m_supervisor->api()->patch(QStringLiteral("/v3/config/paths/patch/") + device, {{QStringLiteral("record"), on}},
                               [this, device, on, done](const MediaMtxApiClient::Response &r) {
        if (r.ok()) {
            auto it = m_applied.find(device);
            if (it != m_applied.end())
                it->record = on;
        }
        done(r.ok(), r.error);
    });
}

PathStatus PathManager::status(const QString &device) const
{
    PathStatus s = m_status.value(device);
    s.name = device;
    return s;
}

QList<PathStatus> PathManager::statuses() const
{
    QList<PathStatus> list;
    for (const cameras::Camera &c : m_cameras->cameras())
        list << status(c.id);
    return list;
}

bool PathManager::statusFresh() const
{
    return m_lastPoll.isValid() && m_lastPoll.msecsTo(QDateTime::currentDateTimeUtc()) < 3000;
}

void PathManager::setInternalReaders(const QString &device, int count)
{
    if (count <= 0)
        m_internalReaders.remove(device);
    else
        m_internalReaders.insert(device, count);
}

int PathManager::externalReaders(const QString &device) const
{
    return std::max(0, m_status.value(device).readers - m_internalReaders.value(device));
}

QJsonObject PathManager::streamJson(const PathStatus &s) const
{
    const std::optional<cameras::Camera> cam = m_cameras->find(s.name);
    return {{QStringLiteral("name"), s.name},
            {QStringLiteral("device"), s.name},
            {QStringLiteral("source"), cam ? cam->sourceType : QString()},
            {QStringLiteral("ready"), s.ready},
            {QStringLiteral("readers"), s.readers},
            {QStringLiteral("bytes_sent"), s.bytesSent}};
}

// Byte counters from JSON: clamped, since a double beyond qint64 cannot be converted.
static qint64 counter(const QJsonValue &v, const QJsonValue &fallback)
{
    const double d = v.isDouble() ? v.toDouble() : fallback.toDouble();
    return std::isfinite(d) ? qint64(std::clamp(d, 0.0, 9.0e15)) : 0;
}

QList<PathStatus> PathManager::parsePathList(const QJsonDocument &body)
{
    QList<PathStatus> list;
    for (const QJsonValue &v : body.object().value(QLatin1String("items")).toArray()) {
        const QJsonObject o = v.toObject();
        PathStatus s;
        s.name = o.value(QLatin1String("name")).toString();
        if (s.name.isEmpty())
            continue;
        s.exists = true;
        // v1.20.1 api/openapi.yaml Path: `available`/`availableTime`; `ready`/`readyTime` are deprecated (read only as a fallback).
        s.ready = o.contains(QLatin1String("available")) ? o.value(QLatin1String("available")).toBool() : o.value(QLatin1String("ready")).toBool();
        s.readers = int(o.value(QLatin1String("readers")).toArray().size());
        s.bytesSent = counter(o.value(QLatin1String("outboundBytes")), o.value(QLatin1String("bytesSent")));
        s.bytesReceived = counter(o.value(QLatin1String("inboundBytes")), o.value(QLatin1String("bytesReceived")));
        s.readyTime = QDateTime::fromString(o.value(o.contains(QLatin1String("availableTime")) ? QLatin1String("availableTime") : QLatin1String("readyTime")).toString(),
                                            Qt::ISODateWithMs);
        s.sourceType = o.value(QLatin1String("source")).toObject().value(QLatin1String("type")).toString();
        // The video track by its codec, not its position (audio may come first):
        // the video labels of v1.20.1 internal/formatlabel/label.go (api/openapi.yaml PathTrackCodec).
        static const QStringList videoCodecs{QStringLiteral("AV1"), QStringLiteral("VP9"), QStringLiteral("VP8"), QStringLiteral("H265"),
                                             QStringLiteral("H264"), QStringLiteral("MPEG-4 Video"), QStringLiteral("MPEG-1/2 Video"), QStringLiteral("M-JPEG")};
        QJsonObject props;
        for (const QJsonValue &t : o.value(QLatin1String("tracks2")).toArray()) {
            if (videoCodecs.contains(t.toObject().value(QLatin1String("codec")).toString())) {
                props = t.toObject().value(QLatin1String("codecProps")).toObject();
                break;
            }
        }
        s.width = props.value(QLatin1String("width")).toInt();
        s.height = props.value(QLatin1String("height")).toInt();
        list << s;
    }
    return list;
}

void PathManager::onPublisherExited(const QString &path, const QString &detail)
{
    const std::optional<cameras::Camera> camera = m_cameras->find(path);
    if (!camera || camera->sourceType == QLatin1String("rtsp"))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<qint64> &exits = m_publisherExits[path];
    exits << now;
    while (!exits.isEmpty() && now - exits.first() > kPublisherWindowMs)
        exits.removeFirst();
    if (exits.size() < kPublisherFailures || camera->status == QLatin1String("ERROR"))
        return;
    const QString reason = QStringLiteral("the camera's publisher (ffmpeg) exited %1 times within %2 s%3")
                               .arg(exits.size())
                               .arg(kPublisherWindowMs / 1000)
                               .arg(detail.isEmpty() ? QString() : QStringLiteral(" (last: %1)").arg(detail));
    if (m_cameras->setCameraError(path, reason))
        m_publisherFailing.insert(path);
}

QString PathManager::plainSourceError(const QString &detail)
{
    // Go's net errors: "dial tcp HOST:PORT: connect: connection refused", "dial tcp HOST:PORT: i/o timeout",
    // "dial tcp: lookup HOST...: no such host"; gortsplib's "bad status code: 401 (Unauthorized)".
    static const QRegularExpression dial(QStringLiteral("dial tcp ([^ ]+): "));
    const QRegularExpressionMatch m = dial.match(detail);
    const QString at = m.hasMatch() ? m.captured(1) : QString();
    if (detail.contains(QLatin1String("connection refused")))
        return at.isEmpty() ? QStringLiteral("the camera refused the connection") : QStringLiteral("nothing accepts connections at %1").arg(at);
    if (detail.contains(QLatin1String("no such host")))
        return QStringLiteral("the camera's host name cannot be resolved");
    if (detail.contains(QLatin1String("i/o timeout")) || detail.contains(QLatin1String("deadline exceeded")))
        return at.isEmpty() ? QStringLiteral("the camera did not answer in time") : QStringLiteral("no answer from %1").arg(at);
    if (detail.contains(QLatin1String("no route to host")) || detail.contains(QLatin1String("network is unreachable")))
        return at.isEmpty() ? QStringLiteral("the camera's network cannot be reached") : QStringLiteral("no route to %1").arg(at);
    if (detail.contains(QLatin1String("bad status code: 401")) || detail.contains(QLatin1String("authentication")))
        return QStringLiteral("the camera refused the user name or password");
    if (detail.contains(QLatin1String("bad status code: 404")))
        return QStringLiteral("the camera has no stream at this address (404)");
    if (detail == QLatin1String("EOF") || detail.contains(QLatin1String("connection reset")))
        return QStringLiteral("the camera closed the connection");
    return detail.isEmpty() ? QStringLiteral("the stream could not be read") : detail;
}

void PathManager::onSourceFailed(const QString &path, const QString &detail)
{
    const std::optional<cameras::Camera> camera = m_cameras->find(path);
    if (!camera || camera->sourceType != QLatin1String("rtsp"))
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<qint64> &failures = m_sourceFailures[path];
    failures << now;
    while (!failures.isEmpty() && now - failures.first() > kPublisherWindowMs)
        failures.removeFirst();
    if (failures.size() < kSourceFailures || camera->status == QLatin1String("ERROR"))
        return;
    const QString reason = QStringLiteral("cannot read the camera's stream: %1 (%2 attempts within %3 s; MediaMTX: %4)")
                               .arg(plainSourceError(detail))
                               .arg(failures.size())
                               .arg(kPublisherWindowMs / 1000)
                               .arg(detail);
    if (m_cameras->setCameraError(path, reason))
        m_publisherFailing.insert(path);
}

void PathManager::refreshNow(std::function<void()> done)
{
    if (!m_supervisor->available()) {
        if (done)
            done();
        return;
    }
    m_supervisor->api()->get(QStringLiteral("/v3/paths/list?itemsPerPage=1000"), [this, done](const MediaMtxApiClient::Response &r) {
        m_pollInFlight = false;
        if (r.ok()) {
            m_lastPoll = QDateTime::currentDateTimeUtc();
            QSet<QString> seen;
            for (const PathStatus &s : parsePathList(r.body)) {
                seen.insert(s.name);
                const PathStatus old = m_status.value(s.name);
                m_status.insert(s.name, s);
                if (s.ready)
                    m_sourceFailures.remove(s.name);  // pulls failing now and then, not in a row
                if (s.ready && m_publisherFailing.contains(s.name)) {
                    // Recovered: the publisher (or the camera's stream) delivers again.
                    m_publisherFailing.remove(s.name);
                    m_publisherExits.remove(s.name);
                    m_sourceFailures.remove(s.name);
                    m_cameras->clearCameraError(s.name);
                }
                if (old.ready != s.ready) {
                    m_events->publish(s.ready ? QStringLiteral("mediamtx.stream_started") : QStringLiteral("mediamtx.stream_stopped"), streamJson(s), s.name);
                }
                if (old.ready != s.ready || old.readers != s.readers) {
                    m_events->publish(QStringLiteral("mediamtx.stream"), streamJson(s), s.name);
                    Q_EMIT pathStatusChanged(s.name);
                }
            }
            for (auto it = m_status.begin(); it != m_status.end();) {
                if (!seen.contains(it.key()))
                    it = m_status.erase(it);
                else
                    ++it;
            }
        }
        if (done)
            done();
    });
}

void PathManager::poll()
{
    if (m_pollInFlight || !m_supervisor->available())
        return;
    m_pollInFlight = true;
    refreshNow();
}

} // namespace station::mediamtx
