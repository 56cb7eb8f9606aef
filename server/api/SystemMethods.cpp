#include "api/ApiMethods.h"

#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "health/HealthMonitor.h"
#include "media/RecordingService.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"
#include "rpc/ConnectionStats.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "media/StorageService.h"
#include "health/SystemStats.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSysInfo>

namespace station::api {

using namespace station::rpc;

namespace {

double round1(double v)
{
    return qRound(v * 10.0) / 10.0;
}

QJsonObject storageJson(const media::StorageInfo &i)
{
    return {{QStringLiteral("total_space"), i.totalSpace},
            {QStringLiteral("used_space"), i.usedSpace},
            {QStringLiteral("available_space"), i.availableSpace},
            {QStringLiteral("usage_percentage"), round1(i.usagePercent)},
            {QStringLiteral("recordings_size"), i.recordingsSize},
            {QStringLiteral("snapshots_size"), i.snapshotsSize},
            {QStringLiteral("low_space_warning"), i.lowSpaceWarning},
            {QStringLiteral("warn_threshold_percent"), i.warnThresholdPercent},
            {QStringLiteral("block_threshold_percent"), i.blockThresholdPercent},
            {QStringLiteral("recordings_count"), i.recordingsCount},
            {QStringLiteral("snapshots_count"), i.snapshotsCount}};
}

QJsonObject policyJson(const media::RetentionPolicy &p)
{
    return {{QStringLiteral("policy_type"), p.type},
            {QStringLiteral("max_age_days"), p.maxAgeDays ? QJsonValue(*p.maxAgeDays) : QJsonValue()},
            {QStringLiteral("max_size_gb"), p.maxSizeGb ? QJsonValue(*p.maxSizeGb) : QJsonValue()},
            {QStringLiteral("enabled"), p.enabled}};
}

QJsonObject recordingMetrics(const core::Services &s)
{
    QJsonObject o;
    for (const media::RecordingSession &r : s.recordingService->sessions()) {
        qint64 size = 0;
        for (const QString &f : r.files)
            size += QFileInfo(s.config->recordingsDir() + QLatin1Char('/') + r.device + QLatin1Char('/') + f).size();
        o.insert(r.device, QJsonObject{{QStringLiteral("session_id"), r.id},
                                       {QStringLiteral("filename"), r.files.value(0)},
                                       {QStringLiteral("start_time"), isoTime(r.startTime)},
                                       {QStringLiteral("duration"), r.elapsedSeconds()},
                                       {QStringLiteral("file_size"), size}});
    }
    return o;
}

QJsonObject streamMetrics(const core::Services &s)
{
    int active = 0, total = 0, viewers = 0;
    if (s.mediamtx->available()) {
        for (const mediamtx::PathStatus &ps : s.paths->statuses()) {
            ++total;
            active += ps.ready ? 1 : 0;
            viewers += s.paths->externalReaders(ps.name);
        }
    }
    return {{QStringLiteral("active_streams"), active}, {QStringLiteral("total_streams"), total}, {QStringLiteral("total_viewers"), viewers}};
}

} // namespace

void registerSystemMethods(Dispatcher &d, const core::Services &s)
{
    using auth::Role;

    d.registerSync(QStringLiteral("get_status"), Role::Admin, [s](const CallContext &, const QJsonObject &) -> Outcome {
        return s.healthMonitor->statusResult();
    });

    d.registerSync(QStringLiteral("get_system_status"), Role::Viewer, [s](const CallContext &, const QJsonObject &) -> Outcome {
        const bool scanned = s.cameras->initialScanComplete();
        const bool mtxNow = s.mediamtx->available();
        const bool mtxEver = s.healthMonitor->mediamtxEverAvailable() || mtxNow;
        QString status, message;
        if (!scanned || !mtxEver) {
            status = QStringLiteral("starting");
            message = !scanned ? QStringLiteral("Initial camera scan in progress")
                               : QStringLiteral("Waiting for MediaMTX: ") + s.mediamtx->statusMessage();
        } else if (!mtxNow) {
            status = QStringLiteral("partial");
            message = QStringLiteral("MediaMTX is not available: ") + s.mediamtx->statusMessage();
        } else {
            status = QStringLiteral("ready");
            message = QStringLiteral("All components ready");
        }
        QStringList available;
        for (const cameras::Camera &c : s.cameras->cameras()) {
            if (c.status == QLatin1String("CONNECTED"))
                available << c.id;
        }
        return QJsonObject{{QStringLiteral("status"), status},
                           {QStringLiteral("message"), message},
                           {QStringLiteral("available_cameras"), QJsonArray::fromStringList(available)},
                           {QStringLiteral("discovery_active"), s.cameras->scanning()}};
    });

    d.registerSync(QStringLiteral("get_server_info"), Role::Viewer, [s](const CallContext &, const QJsonObject &) -> Outcome {
        QStringList caps{QStringLiteral("snapshots"), QStringLiteral("recordings"), QStringLiteral("streaming"),
                         QStringLiteral("event_subscriptions"), QStringLiteral("http_downloads"), QStringLiteral("batch_requests"),
                         QStringLiteral("api_keys")};
        if (s.config->boolean(QStringLiteral("external_discovery.enabled")))
            caps << QStringLiteral("external_streams");
        return QJsonObject{{QStringLiteral("name"), QStringLiteral("Camera Station")},
                           {QStringLiteral("version"), QStringLiteral(STATION_VERSION)},
                           {QStringLiteral("api_version"), QStringLiteral("1.1")},
                           {QStringLiteral("build_date"), QStringLiteral(STATION_BUILD_DATE)},
                           {QStringLiteral("qt_version"), QString::fromLatin1(qVersion())},
                           {QStringLiteral("go_version"), QStringLiteral("n/a")},
                           {QStringLiteral("architecture"), QSysInfo::currentCpuArchitecture()},
                           {QStringLiteral("capabilities"), QJsonArray::fromStringList(caps)},
                           {QStringLiteral("supported_formats"), QJsonArray{QStringLiteral("fmp4"), QStringLiteral("mp4"), QStringLiteral("jpg")}},
                           {QStringLiteral("max_cameras"), s.cameras->maxCameras()}};
    });

    d.registerSync(QStringLiteral("get_metrics"), Role::Admin, [s](const CallContext &, const QJsonObject &) -> Outcome {
        const double cpu = round1(s.systemStats->hostCpuPercent());
        const double mem = round1(health::SystemStats::hostMemoryPercent());
        const double disk = round1(s.storage->filesystemInfo().usagePercent);
        const int threads = health::SystemStats::processThreads();
        QJsonObject cams;
        int connected = 0;
        for (const cameras::Camera &c : s.cameras->cameras()) {
            connected += c.status == QLatin1String("CONNECTED") ? 1 : 0;
            QJsonArray formats;
            for (const QString &f : c.formats)
                formats.append(QJsonObject{{QStringLiteral("pixel_format"), f}});
            cams.insert(c.id, QJsonObject{{QStringLiteral("path"), c.id},
                                          {QStringLiteral("name"), c.name},
                                          {QStringLiteral("status"), c.status},
                                          {QStringLiteral("device_num"), c.number()},
                                          {QStringLiteral("last_seen"), isoTime(c.lastSeen)},
                                          {QStringLiteral("capabilities"), QJsonObject()},
                                          {QStringLiteral("formats"), formats}});
        }
        const Dispatcher::Stats &stats = s.dispatcher->stats();
        return QJsonObject{
            {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())},
            {QStringLiteral("cpu_usage"), cpu},
            {QStringLiteral("memory_usage"), mem},
            {QStringLiteral("disk_usage"), disk},
            {QStringLiteral("system_metrics"), QJsonObject{{QStringLiteral("cpu_usage"), cpu},
                                                           {QStringLiteral("memory_usage"), mem},
                                                           {QStringLiteral("disk_usage"), disk},
                                                           {QStringLiteral("goroutines"), threads},
                                                           {QStringLiteral("threads"), threads},
                                                           {QStringLiteral("process_rss_bytes"), health::SystemStats::processRssBytes()}}},
            {QStringLiteral("camera_metrics"), QJsonObject{{QStringLiteral("connected_cameras"), connected}, {QStringLiteral("cameras"), cams}}},
            {QStringLiteral("recording_metrics"), recordingMetrics(s)},
            {QStringLiteral("stream_metrics"), streamMetrics(s)},
            {QStringLiteral("websocket_metrics"), QJsonObject{{QStringLiteral("connections"), s.connections->connectionCount()},
                                                              {QStringLiteral("authenticated_connections"), s.connections->authenticatedCount()},
                                                              {QStringLiteral("requests_total"), double(stats.requests)},
                                                              {QStringLiteral("errors_total"), double(stats.errors)},
                                                              {QStringLiteral("notifications_sent_total"), double(s.connections->notificationsSent())}}},
        };
    });

    d.registerSync(QStringLiteral("get_storage_info"), Role::Admin, [s](const CallContext &, const QJsonObject &) -> Outcome {
        return storageJson(s.storage->info());
    });

    d.registerSync(QStringLiteral("set_retention_policy"), Role::Admin, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        media::RetentionPolicy policy;
        policy.type = p.enumString(QStringLiteral("policy_type"), {QStringLiteral("age"), QStringLiteral("size"), QStringLiteral("manual")});
        policy.enabled = p.boolean(QStringLiteral("enabled"));
        if (!p.failed() && policy.type == QLatin1String("age")) {
            if (!p.has(QStringLiteral("max_age_days")))
                p.fail(QStringLiteral("max_age_days"), QStringLiteral("required_with"), QStringLiteral("max_age_days is required with policy_type age"));
            else
                policy.maxAgeDays = p.integer(QStringLiteral("max_age_days"), 1, 3650);
        }
        if (!p.failed() && policy.type == QLatin1String("size")) {
            if (!p.has(QStringLiteral("max_size_gb"))) {
                p.fail(QStringLiteral("max_size_gb"), QStringLiteral("required_with"), QStringLiteral("max_size_gb is required with policy_type size"));
            } else if (const std::optional<double> gb = p.maybeNumber(QStringLiteral("max_size_gb"))) {
                if (*gb <= 0)
                    p.fail(QStringLiteral("max_size_gb"), QStringLiteral("min"), QStringLiteral("max_size_gb must be greater than 0"), 0);
                else if (*gb > 1000000)
                    p.fail(QStringLiteral("max_size_gb"), QStringLiteral("max"), QStringLiteral("max_size_gb must be at most 1000000"), 1000000);
                else
                    policy.maxSizeGb = *gb;
            }
        }
        if (p.failed())
            return p.error();
        QString error;
        if (!s.storage->setPolicy(policy, &error))
            return RpcError::dependency(QStringLiteral("storage"), error);
        QJsonObject o = policyJson(s.storage->policy());
        o.insert(QStringLiteral("status"), QStringLiteral("UPDATED"));
        o.insert(QStringLiteral("message"), QStringLiteral("Retention policy updated"));
        return o;
    });

    d.registerSync(QStringLiteral("cleanup_old_files"), Role::Admin, [s](const CallContext &, const QJsonObject &) -> Outcome {
        const media::CleanupResult r = s.storage->cleanup();
        if (!r.error.isEmpty())
            return RpcError::dependency(QStringLiteral("storage"), r.error);
        return QJsonObject{{QStringLiteral("cleanup_executed"), r.executed},
                           {QStringLiteral("files_deleted"), r.filesDeleted},
                           {QStringLiteral("space_freed"), r.spaceFreed},
                           {QStringLiteral("recordings_deleted"), r.recordingsDeleted},
                           {QStringLiteral("snapshots_deleted"), r.snapshotsDeleted},
                           {QStringLiteral("message"), r.message}};
    });
}

} // namespace station::api
