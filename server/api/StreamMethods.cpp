#include "api/ApiMethods.h"

#include "api/CameraJson.h"
#include "media/CameraQueue.h"
#include "api/CaptureErrors.h"
#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "cameras/CameraUrlRule.h"
#include "cameras/StreamUrl.h"
#include "cameras/ExternalDiscovery.h"
#include "media/RecordingService.h"
#include "media/ReaderPool.h"
#include "media/StreamingService.h"
#include "mediamtx/HookReaper.h"
#include "mediamtx/PathManager.h"
#include "mediamtx/PublisherCommand.h"
#include "config/Config.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QJsonArray>
#include <QSet>
#include <QRegularExpression>
#include <QUrl>

namespace station::api {

using namespace station::rpc;

namespace {

RpcError mediamtxMissing(const core::Services &s)
{
    return RpcError::dependency(QStringLiteral("mediamtx"), s.mediamtx->state() == mediamtx::MediaMtxSupervisor::State::NotInstalled
                                                                ? QStringLiteral("MediaMTX is not installed")
                                                                : QStringLiteral("MediaMTX is not running"));
}

QJsonObject externalJson(const core::Services &s, const cameras::ExternalStream &x)
{
    const QString normalised = cameras::StreamUrl::normalise(x.url);
    QJsonValue device;
    for (const cameras::NetworkCamera &n : s.cameras->networkCameras()) {
        if (n.identity == normalised)
            device = n.id;
    }
    QJsonObject caps{{QStringLiteral("protocol"), QStringLiteral("rtsp")}, {QStringLiteral("codec"), x.codec},
                     {QStringLiteral("port"), x.port}, {QStringLiteral("stream_path"), x.streamPath}};
    if (!x.streamType.isEmpty())
        caps.insert(QStringLiteral("stream_type"), x.streamType);
    return {{QStringLiteral("url"), cameras::StreamUrl::redact(x.url)},
            {QStringLiteral("type"), x.type},
            {QStringLiteral("name"), x.name},
            {QStringLiteral("status"), x.status},
            {QStringLiteral("discovered_at"), isoTime(x.discoveredAt)},
            {QStringLiteral("last_seen"), isoTime(x.lastSeen)},
            {QStringLiteral("capabilities"), caps},
            {QStringLiteral("device"), device}};
}

} // namespace

void registerStreamMethods(Dispatcher &d, const core::Services &s)
{
    using auth::Role;

    d.registerAsync(QStringLiteral("start_streaming"), Role::Operator, [s](const CallContext &ctx, const QJsonObject &params, Reply reply) {
        ParamReader p(params);
        const QString device = p.device();
        if (p.failed())
            return reply(p.error());
        const QString host = s.urls->hostFor(ctx.session);
        const auth::Identity viewer = ctx.session->identity();
        s.cameraQueue->run(device, [s, device, host, viewer, reply](media::CameraQueue::Next next) {
            s.streamingService->start(device, [s, device, host, viewer, reply, next](const media::StreamingSession &session, const media::CaptureError &e) {
                next();
                if (e)
                    return reply(toRpcError(e, device));
                const qint64 autoClose = s.config->integer(QStringLiteral("streaming.auto_close_after_s"));
                reply(QJsonObject{{QStringLiteral("device"), device},
                                  {QStringLiteral("stream_name"), device},
                                  {QStringLiteral("stream_url"), s.urls->rtspUrl(device, host, &viewer)},
                                  {QStringLiteral("status"), QStringLiteral("STARTED")},
                                  {QStringLiteral("start_time"), isoTime(session.startTime)},
                                  {QStringLiteral("auto_close_after"), QStringLiteral("%1s").arg(autoClose)},
                                  {QStringLiteral("ffmpeg_command"), QString()},
                                  {QStringLiteral("streams"), s.urls->streams(device, host, &viewer)}});
            });
        });
    }, QStringLiteral("camera"));

    d.registerAsync(QStringLiteral("stop_streaming"), Role::Operator, [s](const CallContext &, const QJsonObject &params, Reply reply) {
        ParamReader p(params);
        const QString device = p.device();
        if (p.failed())
            return reply(p.error());
        s.cameraQueue->run(device, [s, device, reply](media::CameraQueue::Next next) {
            s.streamingService->stop(device, [device, reply, next](const media::StreamingSession &session, const media::CaptureError &e) {
                next();
                if (e)
                    return reply(toRpcError(e, device));
                reply(QJsonObject{{QStringLiteral("device"), device},
                                  {QStringLiteral("stream_name"), device},
                                  {QStringLiteral("status"), QStringLiteral("STOPPED")},
                                  {QStringLiteral("start_time"), isoTime(session.startTime)},
                                  {QStringLiteral("end_time"), isoTime(session.endTime)},
                                  {QStringLiteral("duration"), session.durationSeconds},
                                  {QStringLiteral("stream_continues"), session.streamContinues},
                                  {QStringLiteral("message"), QStringLiteral("Streaming session closed")}});
            });
        });
    }, QStringLiteral("camera"));

    d.registerSync(QStringLiteral("get_stream_url"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) {
        return withCamera(s, ctx, params, [s, &ctx](const cameras::Camera &c, bool) -> Outcome {
            const QString host = s.urls->hostFor(ctx.session);
            const bool up = s.mediamtx->available();
            const mediamtx::PathStatus ps = s.paths->status(c.id);
            const QString status = (!up || c.status == QLatin1String("ERROR")) ? QStringLiteral("ERROR")
                                 : ps.ready ? QStringLiteral("READY") : QStringLiteral("NOT_READY");
            return QJsonObject{{QStringLiteral("device"), c.id},
                               {QStringLiteral("stream_name"), c.id},
                               {QStringLiteral("stream_url"), s.urls->rtspUrl(c.id, host, &ctx.session->identity())},
                               {QStringLiteral("available"), up && c.status == QLatin1String("CONNECTED")},
                               {QStringLiteral("active_consumers"), up ? s.paths->externalReaders(c.id) : 0},
                               {QStringLiteral("stream_status"), status},
                               {QStringLiteral("streams"), s.urls->streams(c.id, host, &ctx.session->identity())},
                               {QStringLiteral("whep_url"), s.urls->whepUrl(c.id, host, &ctx.session->identity())}};
        });
    });

    d.registerSync(QStringLiteral("get_stream_status"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) {
        return withCamera(s, ctx, params, [s](const cameras::Camera &c, bool debug) -> Outcome {
            if (!s.mediamtx->available())
                return mediamtxMissing(s);
            const mediamtx::PathStatus ps = s.paths->status(c.id);
            const bool local = c.sourceType != QLatin1String("rtsp");
            const bool publishing = ps.ready && local;
            const QString status = c.status == QLatin1String("ERROR") ? QStringLiteral("ERROR")
                                 : ps.ready ? QStringLiteral("ACTIVE")
                                 : s.readers->reader(c.id) ? QStringLiteral("STARTING") : QStringLiteral("INACTIVE");
            // The publisher is MediaMTX's runOnDemand hook: found by its tagged environment.
            const qint64 pid = publishing ? mediamtx::HookReaper::hookPid(s.mediamtx->hookTag(), c.id) : 0;
            const qint64 uptime = ps.ready && ps.readyTime.isValid() ? ps.readyTime.secsTo(QDateTime::currentDateTimeUtc()) : 0;
            QJsonObject o{{QStringLiteral("device"), c.id},
                          {QStringLiteral("stream_name"), c.id},
                          {QStringLiteral("status"), status},
                          {QStringLiteral("ready"), ps.ready},
                          {QStringLiteral("ffmpeg_process"), QJsonObject{{QStringLiteral("running"), publishing}, {QStringLiteral("pid"), pid},
                                                                         {QStringLiteral("uptime"), publishing ? uptime : 0}}},
                          {QStringLiteral("mediamtx_path"), QJsonObject{{QStringLiteral("exists"), ps.exists}, {QStringLiteral("ready"), ps.ready},
                                                                        {QStringLiteral("readers"), ps.readers}}},
                          {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("bytes_sent"), ps.ready ? ps.bytesSent : 0},
                                                                  {QStringLiteral("frames_sent"), 0},
                                                                  {QStringLiteral("bitrate"), ps.ready && uptime > 0 ? ps.bytesReceived * 8 / uptime : 0},
                                                                  {QStringLiteral("fps"), ps.ready ? c.fps : 0}}},
                          {QStringLiteral("start_time"), ps.ready && ps.readyTime.isValid() ? QJsonValue(isoTime(ps.readyTime)) : QJsonValue()}};
            if (debug)
                o.insert(QStringLiteral("debug"), QJsonObject{{QStringLiteral("internal_device_path"), c.devicePath},
                                                              {QStringLiteral("identity"), c.identity},
                                                              {QStringLiteral("source_kind"), c.sourceType},
                                                              {QStringLiteral("ffmpeg_command"), mediamtx::publisherCommand(c)}});
            return o;
        });
    });

    d.registerSync(QStringLiteral("get_streams"), Role::Viewer, [s](const CallContext &, const QJsonObject &) -> Outcome {
        if (!s.mediamtx->available())
            return mediamtxMissing(s);
        QJsonArray list;
        for (const cameras::Camera &c : s.cameras->cameras()) {
            const mediamtx::PathStatus ps = s.paths->status(c.id);
            list.append(QJsonObject{{QStringLiteral("name"), c.id},
                                    {QStringLiteral("device"), c.id},
                                    {QStringLiteral("source"), c.sourceType},
                                    {QStringLiteral("ready"), ps.ready},
                                    {QStringLiteral("readers"), ps.readers},
                                    {QStringLiteral("bytes_sent"), ps.bytesSent}});
        }
        return QJsonValue(list);
    });
}

void registerExternalStreamMethods(Dispatcher &d, const core::Services &s)
{
    using auth::Role;
    const auto discoveryEnabled = [s] { return s.discovery->enabled(); };

    d.registerAsync(QStringLiteral("discover_external_streams"), Role::Operator, [s, discoveryEnabled](const CallContext &, const QJsonObject &params, Reply reply) {
        ParamReader p(params);
        cameras::ScanOptions o;
        o.skydio = p.optBool(QStringLiteral("skydio_enabled"), true);
        o.generic = p.optBool(QStringLiteral("generic_enabled"), false);
        o.forceRescan = p.optBool(QStringLiteral("force_rescan"), false);
        o.includeOffline = p.optBool(QStringLiteral("include_offline"), false);
        if (p.failed())
            return reply(p.error());
        if (!discoveryEnabled())
            return reply(RpcError::unsupported(QStringLiteral("external_discovery")));
        s.discovery->scan(o, [s, o, reply](const cameras::ScanResult &r) {
            QJsonArray all, skydio, generic;
            for (const cameras::ExternalStream &x : r.streams) {
                const QJsonObject j = externalJson(s, x);
                all.append(j);
                (x.type.startsWith(QLatin1String("skydio")) ? skydio : generic).append(j);
            }
            reply(QJsonObject{{QStringLiteral("discovered_streams"), all},
                              {QStringLiteral("skydio_streams"), skydio},
                              {QStringLiteral("generic_streams"), generic},
                              {QStringLiteral("scan_timestamp"), isoTime(r.timestamp)},
                              {QStringLiteral("total_found"), all.size()},
                              {QStringLiteral("discovery_options"), QJsonObject{{QStringLiteral("skydio_enabled"), o.skydio},
                                                                                {QStringLiteral("generic_enabled"), o.generic},
                                                                                {QStringLiteral("force_rescan"), o.forceRescan},
                                                                                {QStringLiteral("include_offline"), o.includeOffline}}},
                              {QStringLiteral("scan_duration"), QStringLiteral("%1s").arg(r.durationSeconds, 0, 'f', 1)},
                              {QStringLiteral("errors"), QJsonArray::fromStringList(r.errors)}});
        });
    }, QStringLiteral("network"));

    d.registerSync(QStringLiteral("add_external_stream"), Role::Operator, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString given = p.string(QStringLiteral("stream_url"), 2048);
        // One rule with the registry, the settings page and mediamtx.yml:
        // never register a URL MediaMTX v1.20.1 would refuse at load time
        // (cameras/CameraUrlRule: internal/conf/path.go validate/validateURL).
        // What it accepts after normalising (an upper-case scheme) is stored normalised.
        QString url;
        if (!p.failed()) {
            const cameras::UrlVerdict v = cameras::CameraUrlRule::check(given);
            if (v.ok) {
                url = v.url;
            } else {
                const qsizetype sep = given.indexOf(QLatin1String("://"));
                const QString scheme = sep > 0 ? given.left(sep).trimmed().toLower() : QString();
                const bool badScheme = scheme != QLatin1String("rtsp") && scheme != QLatin1String("rtsps");
                p.fail(QStringLiteral("stream_url"), badScheme ? QStringLiteral("scheme") : QStringLiteral("pattern"),
                       QStringLiteral("stream_url: %1. %2").arg(v.reason, v.hint));
            }
        }
        const QString name = p.string(QStringLiteral("stream_name"), 64);
        if (!p.failed()) {
            for (const QChar c : name) {
                if (c.unicode() < 0x20 || c.unicode() == 0x7F) {
                    p.fail(QStringLiteral("stream_name"), QStringLiteral("control_char"), QStringLiteral("stream_name must not contain control characters"));
                    break;
                }
            }
        }
        const QString type = p.maybeString(QStringLiteral("stream_type")).value_or(QStringLiteral("generic_rtsp"));
        static const QRegularExpression typeRe(QStringLiteral("^[a-z0-9_]{1,32}$"));
        if (!p.failed() && !typeRe.match(type).hasMatch())
            p.fail(QStringLiteral("stream_type"), QStringLiteral("pattern"), QStringLiteral("stream_type must match ^[a-z0-9_]{1,32}$"));
        if (p.failed())
            return p.error();
        QString error;
        const std::optional<cameras::Camera> cam = s.cameras->addNetworkCamera(url, name, type, &error);
        if (!cam) {
            if (error == QLatin1String("MAX_CAMERAS_REACHED"))
                return RpcError::invalidState(QStringLiteral("MAX_CAMERAS_REACHED"), {});
            return RpcError::invalidParams(QStringLiteral("stream_url"), QStringLiteral("pattern"), QStringLiteral("stream_url is not a usable RTSP URL"));
        }
        return QJsonObject{{QStringLiteral("stream_url"), cameras::StreamUrl::redact(url)},
                           {QStringLiteral("stream_name"), name},
                           {QStringLiteral("stream_type"), type},
                           {QStringLiteral("status"), QStringLiteral("ADDED")},
                           {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())},
                           {QStringLiteral("device"), cam->id}};
    });

    d.registerSync(QStringLiteral("remove_external_stream"), Role::Operator, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString url = p.string(QStringLiteral("stream_url"), 2048);
        if (p.failed())
            return p.error();
        const QString wanted = cameras::StreamUrl::normalise(url);
        for (const cameras::NetworkCamera &n : s.cameras->networkCameras()) {
            if (n.identity != wanted)
                continue;
            if (s.recordingService->isRecording(n.id))
                return RpcError::invalidState(QStringLiteral("RECORDING"), {QStringLiteral("IDLE")});
            s.cameras->removeNetworkCamera(n.url);
            return QJsonObject{{QStringLiteral("stream_url"), cameras::StreamUrl::redact(url)},
                               {QStringLiteral("status"), QStringLiteral("REMOVED")},
                               {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())},
                               {QStringLiteral("device"), n.id}};
        }
        return RpcError::notFound(QStringLiteral("external_stream"), cameras::StreamUrl::redact(url));
    });

    d.registerSync(QStringLiteral("get_external_streams"), Role::Viewer, [s](const CallContext &, const QJsonObject &) -> Outcome {
        QJsonArray all, skydio, generic;
        QSet<QString> listed;
        const auto add = [&](const QJsonObject &j, const QString &type) {
            all.append(j);
            (type.startsWith(QLatin1String("skydio")) ? skydio : generic).append(j);
        };
        for (const cameras::NetworkCamera &n : s.cameras->networkCameras()) {
            listed.insert(n.identity);
            const QUrl u(n.identity);
            add(QJsonObject{{QStringLiteral("url"), cameras::StreamUrl::redact(n.url)},
                            {QStringLiteral("type"), n.type},
                            {QStringLiteral("name"), n.name},
                            {QStringLiteral("status"), QStringLiteral("DISCOVERED")},
                            {QStringLiteral("discovered_at"), isoTime(n.addedAt)},
                            {QStringLiteral("last_seen"), isoTime(n.addedAt)},
                            {QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("protocol"), u.scheme()},
                                                                         {QStringLiteral("port"), u.port()},
                                                                         {QStringLiteral("stream_path"), u.path()}}},
                            {QStringLiteral("device"), n.id}},
                n.type);
        }
        for (const cameras::ExternalStream &x : s.discovery->known()) {
            if (!listed.contains(cameras::StreamUrl::normalise(x.url)))
                add(externalJson(s, x), x.type);
        }
        return QJsonObject{{QStringLiteral("external_streams"), all},
                           {QStringLiteral("skydio_streams"), skydio},
                           {QStringLiteral("generic_streams"), generic},
                           {QStringLiteral("total_count"), all.size()},
                           {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())}};
    });

    d.registerSync(QStringLiteral("set_discovery_interval"), Role::Admin, [s, discoveryEnabled](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const qint64 interval = p.integer(QStringLiteral("scan_interval"), 0, 86400);
        if (!p.failed() && interval > 0 && interval < 10)
            p.fail(QStringLiteral("scan_interval"), QStringLiteral("min"), QStringLiteral("scan_interval must be 0 or 10..86400"), 10);
        if (p.failed())
            return p.error();
        if (!discoveryEnabled())
            return RpcError::unsupported(QStringLiteral("external_discovery"));
        QString error;
        if (!s.discovery->setScanInterval(interval, &error))
            return RpcError::dependency(QStringLiteral("storage"), QStringLiteral("cannot save the interval"));
        return QJsonObject{{QStringLiteral("scan_interval"), interval},
                           {QStringLiteral("status"), QStringLiteral("UPDATED")},
                           {QStringLiteral("message"), QStringLiteral("Discovery interval set to %1 s").arg(interval)},
                           {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())}};
    });
}

} // namespace station::api
