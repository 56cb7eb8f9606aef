#include "health/HealthMonitor.h"

#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "events/EventBus.h"
#include "health/MetricsRegistry.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"
#include "net/ApiServer.h"
#include "rpc/RpcError.h"
#include "media/LiveReader.h"
#include "media/ReaderPool.h"
#include "media/RecordingService.h"
#include "media/StorageService.h"

#include <QJsonArray>
#include <QSet>
#include <QRegularExpression>

namespace station::health {

using health::ComponentHealth;
using health::MetricsRegistry;
using mediamtx::MediaMtxSupervisor;

namespace {

// Health output is served without authentication (8003 binds every interface):
// it never shows where things live on disk. An absolute path becomes its last
// component ("starting /opt/x/bin/mediamtx" → "starting mediamtx").
QString withoutPaths(const QString &text)
{
    static const QRegularExpression path(QStringLiteral(R"((?<![\w.:/])/[^\s"',;()]+)"));
    QString out = text;
    QRegularExpressionMatch m;
    qsizetype from = 0;
    while ((m = path.match(out, from)).hasMatch()) {
        QString tail = m.captured(0);
        while (tail.endsWith(QLatin1Char('/')))
            tail.chop(1);
        const QString name = tail.mid(tail.lastIndexOf(QLatin1Char('/')) + 1);
        out.replace(m.capturedStart(0), m.capturedLength(0), name);
        from = m.capturedStart(0) + name.size();
    }
    return out;
}

void scrubPaths(ComponentHealth &c)
{
    c.message = withoutPaths(c.message);
    for (auto it = c.details.begin(); it != c.details.end(); ++it) {
        if (it.value().isString())
            it.value() = withoutPaths(it.value().toString());
    }
}

} // namespace

HealthMonitor::HealthMonitor(const core::Services &services, QObject *parent) : QObject(parent), m_s(services)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &HealthMonitor::refresh);
    using T = MetricsRegistry::Type;
    MetricsRegistry *m = m_s.metrics;
    m->declare(QStringLiteral("camera_station_cameras"), T::Gauge, QStringLiteral("known cameras by status"));
    m->declare(QStringLiteral("camera_station_recordings_active"), T::Gauge, QStringLiteral("recording sessions in progress"));
    m->declare(QStringLiteral("camera_station_mediamtx_up"), T::Gauge, QStringLiteral("1 when MediaMTX is available"));
    m->declare(QStringLiteral("camera_station_mediamtx_restarts_total"), T::Counter, QStringLiteral("MediaMTX restarts"));
    m->declare(QStringLiteral("camera_station_storage_usage_ratio"), T::Gauge, QStringLiteral("storage filesystem use 0..1"));
    m->declare(QStringLiteral("camera_station_storage_available_bytes"), T::Gauge, QStringLiteral("bytes available to the service"));
    m->declare(QStringLiteral("camera_station_camera_up"), T::Gauge, QStringLiteral("1 while the camera is CONNECTED, else 0; one series per known camera ID"));
    m->declare(QStringLiteral("camera_station_recording_failures_total"), T::Counter,
               QStringLiteral("recordings that ended with an error (storage full, camera gone, MediaMTX failed), by camera ID"));
    m->declare(QStringLiteral("camera_station_retention_deleted_files_total"), T::Counter, QStringLiteral("files deleted by the retention policy, by kind"));
    m->declare(QStringLiteral("camera_station_event_loop_stall_seconds"), T::Gauge, QStringLiteral("longest main event-loop stall in the last 60 seconds"));
    m->declare(QStringLiteral("camera_station_camera_stream_ready"), T::Gauge,
               QStringLiteral("1 while the camera's MediaMTX path has a publisher (video flowing or starting), else 0; on-demand cameras idle at 0"));
    m->declare(QStringLiteral("camera_station_camera_readers"), T::Gauge, QStringLiteral("readers of the camera's MediaMTX path (the station's own recorder and snapshot reader included)"));
    m->declare(QStringLiteral("camera_station_camera_received_bytes_total"), T::Counter,
               QStringLiteral("bytes MediaMTX received from the camera's publisher (resets when MediaMTX restarts); bitrate = 8 * rate()"));
    m->declare(QStringLiteral("camera_station_camera_last_data_age_seconds"), T::Gauge,
               QStringLiteral("seconds since the camera's stream last delivered data; only while its path is ready"));
    m->declare(QStringLiteral("camera_station_camera_recording"), T::Gauge, QStringLiteral("1 while a recording of the camera runs, else 0"));
    m->declare(QStringLiteral("camera_station_camera_frames_decoded_total"), T::Counter,
               QStringLiteral("frames the station decoded from the camera for its own views and snapshots; only while such a reader runs (a new reader starts from 0)"));
    m->declare(QStringLiteral("camera_station_storage_min_free_bytes"), T::Gauge, QStringLiteral("the configured floor of free space (storage.min_free_mb), in bytes"));
    m->set(QStringLiteral("camera_station_storage_min_free_bytes"), {}, double(m_s.config->integer(QStringLiteral("storage.min_free_mb"))) * 1024.0 * 1024.0);
    // Unlabelled families get a sample from the start: an absent series reads as "no data", not 0.
    m->set(QStringLiteral("camera_station_recordings_active"), {}, 0);
    m->add(QStringLiteral("camera_station_mediamtx_restarts_total"), {}, 0);
    m->set(QStringLiteral("camera_station_event_loop_stall_seconds"), {}, 0);
    for (const char *kind : {"recording", "snapshot"})
        m->add(QStringLiteral("camera_station_retention_deleted_files_total"), MetricsRegistry::label(QStringLiteral("kind"), QString::fromLatin1(kind)), 0);
    if (m_s.storage) {
        connect(m_s.storage, &media::StorageService::cleanupFinished, this, [m](const media::CleanupResult &r) {
            m->add(QStringLiteral("camera_station_retention_deleted_files_total"), MetricsRegistry::label(QStringLiteral("kind"), QStringLiteral("recording")),
                   double(r.recordingsDeleted));
            m->add(QStringLiteral("camera_station_retention_deleted_files_total"), MetricsRegistry::label(QStringLiteral("kind"), QStringLiteral("snapshot")),
                   double(r.snapshotsDeleted));
        });
    }
    m_stallTimer.setInterval(250);
    connect(&m_stallTimer, &QTimer::timeout, this, &HealthMonitor::sampleLoopLatency);
}

void HealthMonitor::sampleLoopLatency()
{
    const qint64 now = m_stallClock.elapsed();
    const qint64 stall = std::max<qint64>(0, now - m_lastTickMs - m_stallTimer.interval());
    m_lastTickMs = now;
    while (!m_stalls.empty() && m_stalls.front().first < now - 60000)
        m_stalls.pop_front();
    while (!m_stalls.empty() && m_stalls.back().second <= stall)
        m_stalls.pop_back();  // a monotonic queue: the front is the longest
    m_stalls.emplace_back(now, stall);
    m_s.metrics->set(QStringLiteral("camera_station_event_loop_stall_seconds"), {}, double(m_stalls.front().second) / 1000.0);
}

void HealthMonitor::start()
{
    refresh();
    m_timer.start();
    m_stallClock.start();
    m_lastTickMs = 0;
    m_stallTimer.start();
}

health::HealthSnapshot HealthMonitor::evaluate() const
{
    health::HealthSnapshot snap;
    const QDateTime now = QDateTime::currentDateTimeUtc();

    // websocket_server
    {
        ComponentHealth c;
        c.name = QStringLiteral("websocket_server");
        c.lastChecked = now;
        const int conns = m_s.apiServer->connectionCount();
        const int max = m_s.config->integer32(QStringLiteral("server.max_connections"));
        c.details = {{QStringLiteral("port"), int(m_s.apiServer->port())},
                     {QStringLiteral("connections"), conns},
                     {QStringLiteral("authenticated_connections"), m_s.apiServer->authenticatedCount()},
                     {QStringLiteral("max_connections"), max}};
        if (!m_s.apiServer->isListening()) {
            c.status = QStringLiteral("unhealthy");
            c.message = QStringLiteral("not listening");
            c.rpcState = m_s.healthState->shuttingDown() ? QStringLiteral("STOPPING") : QStringLiteral("ERROR");
        } else if (conns * 10 >= max * 9) {
            c.status = QStringLiteral("degraded");
            c.message = QStringLiteral("%1 of %2 connections in use").arg(conns).arg(max);
            c.rpcState = QStringLiteral("RUNNING");
        } else {
            c.status = QStringLiteral("healthy");
            c.message = QStringLiteral("listening on %1").arg(m_s.apiServer->port());
            c.rpcState = QStringLiteral("RUNNING");
        }
        snap.components << c;
    }
    // camera_monitor
    {
        ComponentHealth c;
        c.name = QStringLiteral("camera_monitor");
        c.lastChecked = now;
        const QList<cameras::Camera> cams = m_s.cameras->cameras();
        int connected = 0, errors = 0;
        for (const cameras::Camera &cam : cams) {
            connected += cam.status == QLatin1String("CONNECTED") ? 1 : 0;
            errors += cam.status == QLatin1String("ERROR") ? 1 : 0;
        }
        const QString source = m_s.cameras->eventSource().isEmpty() ? QStringLiteral("polling") : m_s.cameras->eventSource();
        c.details = {{QStringLiteral("initial_scan_complete"), m_s.cameras->initialScanComplete()},
                     {QStringLiteral("event_source"), source},
                     {QStringLiteral("cameras_total"), int(cams.size())},
                     {QStringLiteral("cameras_connected"), connected},
                     {QStringLiteral("cameras_error"), errors},
                     {QStringLiteral("last_scan"), rpc::isoTime(m_s.cameras->lastScan())}};
        c.status = QStringLiteral("degraded");
        c.rpcState = QStringLiteral("RUNNING");
        if (!m_s.cameras->initialScanComplete()) {
            c.message = QStringLiteral("initial camera scan in progress");
            c.rpcState = QStringLiteral("STARTING");
        } else if (m_s.cameras->eventSource().isEmpty()) {
            c.message = QStringLiteral("%1 cameras; hot-plug discovery is not available in this build").arg(cams.size());
        } else if (source == QLatin1String("polling")) {
            c.message = QStringLiteral("%1 cameras, polling for changes").arg(cams.size());
        } else if (errors > 0) {
            c.message = QStringLiteral("%1 of %2 cameras in error").arg(errors).arg(cams.size());
        } else {
            c.status = QStringLiteral("healthy");
            c.message = QStringLiteral("%1 cameras, %2 events active").arg(cams.size()).arg(source);
        }
        snap.components << c;
    }
    // mediamtx
    {
        ComponentHealth c;
        c.name = QStringLiteral("mediamtx");
        c.lastChecked = now;
        const MediaMtxSupervisor *mtx = m_s.mediamtx;
        int readyPaths = 0, totalPaths = 0;
        if (mtx->available()) {
            for (const mediamtx::PathStatus &ps : m_s.paths->statuses()) {
                ++totalPaths;
                readyPaths += ps.ready ? 1 : 0;
            }
        }
        c.details = {{QStringLiteral("version"), mtx->version()},
                     {QStringLiteral("ready_paths"), readyPaths},
                     {QStringLiteral("total_paths"), totalPaths},
                     {QStringLiteral("consecutive_failures"), mtx->consecutiveFailures()},
                     {QStringLiteral("last_success"), mtx->lastSuccess().isValid() ? QJsonValue(rpc::isoTime(mtx->lastSuccess())) : QJsonValue()},
                     {QStringLiteral("restarts"), mtx->restarts()}};
        c.message = mtx->statusMessage();
        switch (mtx->state()) {
        case MediaMtxSupervisor::State::Running:
            c.status = mtx->consecutiveFailures() > 0 ? QStringLiteral("degraded") : QStringLiteral("healthy");
            c.rpcState = QStringLiteral("RUNNING");
            break;
        case MediaMtxSupervisor::State::Starting:
            c.status = QStringLiteral("degraded");
            c.rpcState = QStringLiteral("STARTING");
            break;
        case MediaMtxSupervisor::State::Error:
            c.status = QStringLiteral("unhealthy");
            c.rpcState = QStringLiteral("ERROR");
            break;
        case MediaMtxSupervisor::State::Stopped:
        case MediaMtxSupervisor::State::NotInstalled:
            c.status = QStringLiteral("unhealthy");
            c.rpcState = QStringLiteral("STOPPED");
            break;
        }
        snap.components << c;
    }
    // storage
    {
        ComponentHealth c;
        c.name = QStringLiteral("storage");
        c.lastChecked = now;
        const media::StorageInfo info = m_s.storage->filesystemInfo();
        c.details = {{QStringLiteral("usage_percent"), qRound(info.usagePercent * 10) / 10.0},
                     {QStringLiteral("available_bytes"), info.availableSpace},
                     {QStringLiteral("total_bytes"), info.totalSpace},
                     {QStringLiteral("writable"), info.writable},
                     {QStringLiteral("warn_threshold_percent"), info.warnThresholdPercent},
                     {QStringLiteral("block_threshold_percent"), info.blockThresholdPercent}};
        c.rpcState = QStringLiteral("RUNNING");
        if (!info.writable) {
            c.status = QStringLiteral("unhealthy");
            c.message = QStringLiteral("recordings or snapshots folder not writable");
            c.rpcState = QStringLiteral("ERROR");
        } else if (info.blocked) {
            c.status = QStringLiteral("unhealthy");
            c.message = QStringLiteral("usage %1% at or above block threshold %2%").arg(qRound(info.usagePercent)).arg(info.blockThresholdPercent);
            c.rpcState = QStringLiteral("ERROR");
        } else if (info.lowSpaceWarning) {
            c.status = QStringLiteral("degraded");
            c.message = QStringLiteral("usage %1% above warn threshold %2%").arg(qRound(info.usagePercent)).arg(info.warnThresholdPercent);
        } else {
            c.status = QStringLiteral("healthy");
            c.message = QStringLiteral("usage %1%").arg(qRound(info.usagePercent));
        }
        snap.components << c;
    }

    if (!m_s.apiServer->isListening())
        snap.readyFailures << QStringLiteral("websocket_not_listening");
    if (!m_s.cameras->initialScanComplete())
        snap.readyFailures << QStringLiteral("camera_discovery_pending");
    if (!m_s.mediamtx->available())
        snap.readyFailures << QStringLiteral("mediamtx_unavailable");
    if (m_s.healthState->shuttingDown())
        snap.readyFailures << QStringLiteral("shutting_down");
    return snap;
}

QJsonObject HealthMonitor::statusResult() const
{
    return statusResult(evaluate());
}

QJsonObject HealthMonitor::statusResult(const health::HealthSnapshot &snap) const
{
    QJsonObject components;
    for (const ComponentHealth &c : snap.components)
        components.insert(c.name, c.rpcState);
    return {{QStringLiteral("status"), snap.overallStatus().toUpper()},
            {QStringLiteral("uptime"), double(m_s.healthState->startedAt().msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0},
            {QStringLiteral("version"), QStringLiteral(STATION_VERSION)},
            {QStringLiteral("components"), components}};
}

void HealthMonitor::refresh()
{
    m_s.healthState->heartbeat();
    health::HealthSnapshot snap = evaluate();
    for (ComponentHealth &c : snap.components)
        scrubPaths(c);
    m_s.healthState->publish(snap);
    if (m_s.mediamtx->available())
        m_mediamtxEverAvailable = true;

    MetricsRegistry *m = m_s.metrics;
    m->set(QStringLiteral("camera_station_mediamtx_up"), {}, m_s.mediamtx->available() ? 1 : 0);
    m->set(QStringLiteral("camera_station_mediamtx_restarts_total"), {}, m_s.mediamtx->restarts());
    const QJsonObject storage = snap.components.value(3).details;
    m->set(QStringLiteral("camera_station_storage_usage_ratio"), {}, storage.value(QLatin1String("usage_percent")).toDouble() / 100.0);
    m->set(QStringLiteral("camera_station_storage_available_bytes"), {}, storage.value(QLatin1String("available_bytes")).toDouble());
    m->clearGauge(QStringLiteral("camera_station_cameras"));
    QHash<QString, int> byStatus{{QStringLiteral("CONNECTED"), 0}, {QStringLiteral("DISCONNECTED"), 0}, {QStringLiteral("ERROR"), 0}};
    for (const cameras::Camera &cam : m_s.cameras->cameras())
        byStatus[cam.status] += 1;
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
        m->set(QStringLiteral("camera_station_cameras"), MetricsRegistry::label(QStringLiteral("status"), it.key()), it.value());
    // Per camera: bounded by cameras.max; a forgotten camera's series goes away.
    m->clearGauge(QStringLiteral("camera_station_camera_up"));
    m->clearGauge(QStringLiteral("camera_station_camera_recording"));
    m->clearGauge(QStringLiteral("camera_station_camera_frames_decoded_total"));
    for (const cameras::Camera &cam : m_s.cameras->cameras()) {
        const QString camLabel = MetricsRegistry::label(QStringLiteral("camera"), cam.id);
        m->set(QStringLiteral("camera_station_camera_up"), camLabel, cam.status == QLatin1String("CONNECTED") ? 1 : 0);
        if (m_s.recordingService)
            m->set(QStringLiteral("camera_station_camera_recording"), camLabel, m_s.recordingService->isRecording(cam.id) ? 1 : 0);
        if (const media::LiveReader *reader = m_s.readers ? m_s.readers->reader(cam.id) : nullptr)
            m->set(QStringLiteral("camera_station_camera_frames_decoded_total"), camLabel, double(reader->framesDecoded()));
        m->add(QStringLiteral("camera_station_recording_failures_total"), camLabel, 0);  // present from the start, so increase() sees the first failure
    }
    // Per camera stream figures from MediaMTX's path list (PathManager polls it every second).
    for (const char *name : {"camera_station_camera_stream_ready", "camera_station_camera_readers", "camera_station_camera_received_bytes_total",
                             "camera_station_camera_last_data_age_seconds"})
        m->clearGauge(QString::fromLatin1(name));
    if (m_s.paths && m_s.mediamtx->available() && m_s.paths->statusFresh()) {
        const qint64 nowMs = m_stallClock.isValid() ? m_stallClock.elapsed() : 0;
        QSet<QString> seen;
        for (const cameras::Camera &cam : m_s.cameras->cameras()) {
            const mediamtx::PathStatus ps = m_s.paths->status(cam.id);
            const QString camLabel = MetricsRegistry::label(QStringLiteral("camera"), cam.id);
            m->set(QStringLiteral("camera_station_camera_stream_ready"), camLabel, ps.ready ? 1 : 0);
            m->set(QStringLiteral("camera_station_camera_readers"), camLabel, ps.readers);
            m->set(QStringLiteral("camera_station_camera_received_bytes_total"), camLabel, double(ps.bytesReceived));
            seen.insert(cam.id);
            auto last = m_lastData.find(cam.id);
            if (!ps.ready) {
                m_lastData.remove(cam.id);
                continue;
            }
            if (last == m_lastData.end() || ps.bytesReceived != last->first)
                last = m_lastData.insert(cam.id, {ps.bytesReceived, nowMs});
            m->set(QStringLiteral("camera_station_camera_last_data_age_seconds"), camLabel, double(nowMs - last->second) / 1000.0);
        }
        for (auto it = m_lastData.begin(); it != m_lastData.end();)
            it = seen.contains(it.key()) ? std::next(it) : m_lastData.erase(it);
    } else {
        m_lastData.clear();
    }

    // Announce changes of the overall status or of any component state.
    const QJsonObject status = statusResult(snap);
    QJsonObject comparable = status;
    comparable.remove(QStringLiteral("uptime"));
    QJsonObject last = m_lastStatus;
    last.remove(QStringLiteral("uptime"));
    if (!m_lastStatus.isEmpty() && comparable != last) {
        m_s.events->publish(QStringLiteral("system_health_update"), status);
        m_s.events->publish(QStringLiteral("system.health"), status);
        for (const ComponentHealth &c : snap.components) {
            if (c.status == QLatin1String("unhealthy") && m_lastComponentStatus.value(c.name) != QLatin1String("unhealthy"))
                m_s.events->publish(QStringLiteral("system.error"),
                                    {{QStringLiteral("component"), c.name}, {QStringLiteral("reason"), c.rpcState.toLower()}, {QStringLiteral("detail"), c.message}});
        }
        Q_EMIT healthChanged();
    }
    m_lastStatus = status;
    for (const ComponentHealth &c : snap.components)
        m_lastComponentStatus.insert(c.name, c.status);
    if (!m_announcedStartup && snap.readyFailures.isEmpty()) {
        m_announcedStartup = true;
        m_s.events->publish(QStringLiteral("system.startup"), {{QStringLiteral("version"), QStringLiteral(STATION_VERSION)}});
    }
}

} // namespace station::health
