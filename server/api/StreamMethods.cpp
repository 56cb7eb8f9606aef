#include "api/ApiMethods.h"

#include "api/CameraQueue.h"
#include "api/CaptureErrors.h"
#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "media/ReaderPool.h"
#include "media/StreamingService.h"
#include "mediamtx/PathManager.h"
#include "mediamtx/PublisherCommand.h"
#include "config/Config.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QJsonArray>
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

// A camera method: device validated, then the camera must be known.
Outcome withCamera(const core::Services &s, const QJsonObject &params, const std::function<Outcome(const cameras::Camera &)> &then)
{
    ParamReader p(params);
    const QString device = p.device();
    p.optBool(QStringLiteral("debug"), false);
    if (p.failed())
        return p.error();
    const std::optional<cameras::Camera> c = s.cameras->find(device);
    if (!c)
        return RpcError::notFound(QStringLiteral("camera"), device);
    return then(*c);
}

// Shows a stream URL with any password replaced by *** (§11).
QString redactUrl(const QString &url)
{
    QUrl u(url);
    if (!u.isValid() || u.password().isEmpty())
        return url;
    u.setPassword(QStringLiteral("***"));
    return u.toString();
}

QJsonObject externalListResult()
{
    return {{QStringLiteral("external_streams"), QJsonArray()},
            {QStringLiteral("skydio_streams"), QJsonArray()},
            {QStringLiteral("generic_streams"), QJsonArray()},
            {QStringLiteral("total_count"), 0},
            {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())}};
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
        s.cameraQueue->run(device, [s, device, host, reply](CameraQueue::Next next) {
            s.streamingService->start(device, [s, device, host, reply, next](const media::StreamingSession &session, const media::CaptureError &e) {
                next();
                if (e)
                    return reply(toRpcError(e, device));
                const qint64 autoClose = s.config->integer(QStringLiteral("streaming.auto_close_after_s"));
                reply(QJsonObject{{QStringLiteral("device"), device},
                                  {QStringLiteral("stream_name"), device},
                                  {QStringLiteral("stream_url"), s.urls->rtspUrl(device, host)},
                                  {QStringLiteral("status"), QStringLiteral("STARTED")},
                                  {QStringLiteral("start_time"), isoTime(session.startTime)},
                                  {QStringLiteral("auto_close_after"), QStringLiteral("%1s").arg(autoClose)},
                                  {QStringLiteral("ffmpeg_command"), QString()},
                                  {QStringLiteral("streams"), s.urls->streams(device, host)}});
            });
        });
    }, QStringLiteral("camera"));

    d.registerAsync(QStringLiteral("stop_streaming"), Role::Operator, [s](const CallContext &, const QJsonObject &params, Reply reply) {
        ParamReader p(params);
        const QString device = p.device();
        if (p.failed())
            return reply(p.error());
        s.cameraQueue->run(device, [s, device, reply](CameraQueue::Next next) {
            s.streamingService->stop(device, [device, reply, next](const media::StreamingSession &session, const media::CaptureError &e) {
                next();
                if (e)
                    return reply(toRpcError(e, device));
                reply(QJsonObject{{QStringLiteral("device"), device},
                                  {QStringLiteral("stream_name"), device},
                                  {QStringLiteral("status"), QStringLiteral("STOPPED")},
                                  {QStringLiteral("start_time"), isoTime(session.startTime)},
                                  {QStringLiteral("end_time"), isoTime(session.endTime)},
                                  {QStringLiteral("duration"), qRound64(double(session.startTime.msecsTo(session.endTime)) / 1000.0)},
                                  {QStringLiteral("stream_continues"), session.streamContinues},
                                  {QStringLiteral("message"), QStringLiteral("Streaming session closed")}});
            });
        });
    }, QStringLiteral("camera"));

    d.registerSync(QStringLiteral("get_stream_url"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) {
        return withCamera(s, params, [s, &ctx](const cameras::Camera &c) -> Outcome {
            const QString host = s.urls->hostFor(ctx.session);
            const bool up = s.mediamtx->available();
            const mediamtx::PathStatus ps = s.paths->status(c.id);
            const QString status = (!up || c.status == QLatin1String("ERROR")) ? QStringLiteral("ERROR")
                                 : ps.ready ? QStringLiteral("READY") : QStringLiteral("NOT_READY");
            return QJsonObject{{QStringLiteral("device"), c.id},
                               {QStringLiteral("stream_name"), c.id},
                               {QStringLiteral("stream_url"), s.urls->rtspUrl(c.id, host)},
                               {QStringLiteral("available"), up && c.status == QLatin1String("CONNECTED")},
                               {QStringLiteral("active_consumers"), up ? s.paths->externalReaders(c.id) : 0},
                               {QStringLiteral("stream_status"), status},
                               {QStringLiteral("streams"), s.urls->streams(c.id, host)},
                               {QStringLiteral("whep_url"), s.urls->whepUrl(c.id, host)}};
        });
    });

    d.registerSync(QStringLiteral("get_stream_status"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) {
        const bool debug = params.value(QLatin1String("debug")).toBool() && ctx.session->identity().role >= Role::Admin;
        return withCamera(s, params, [s, debug](const cameras::Camera &c) -> Outcome {
            if (!s.mediamtx->available())
                return mediamtxMissing(s);
            const mediamtx::PathStatus ps = s.paths->status(c.id);
            const bool local = c.sourceType != QLatin1String("rtsp");
            const bool publishing = ps.ready && local;
            const QString status = c.status == QLatin1String("ERROR") ? QStringLiteral("ERROR")
                                 : ps.ready ? QStringLiteral("ACTIVE")
                                 : s.readers->reader(c.id) ? QStringLiteral("STARTING") : QStringLiteral("INACTIVE");
            const qint64 uptime = ps.ready && ps.readyTime.isValid() ? ps.readyTime.secsTo(QDateTime::currentDateTimeUtc()) : 0;
            QJsonObject o{{QStringLiteral("device"), c.id},
                          {QStringLiteral("stream_name"), c.id},
                          {QStringLiteral("status"), status},
                          {QStringLiteral("ready"), ps.ready},
                          {QStringLiteral("ffmpeg_process"), QJsonObject{{QStringLiteral("running"), publishing}, {QStringLiteral("pid"), 0},
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
    const auto discoveryEnabled = [s] { return s.config->boolean(QStringLiteral("external_discovery.enabled")); };

    d.registerSync(QStringLiteral("discover_external_streams"), Role::Operator, [s, discoveryEnabled](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        for (const char *flag : {"skydio_enabled", "generic_enabled", "force_rescan", "include_offline"})
            p.optBool(QString::fromLatin1(flag), false);
        if (p.failed())
            return p.error();
        if (!discoveryEnabled())
            return RpcError::unsupported(QStringLiteral("external_discovery"));
        return mediamtxMissing(s);
    });

    d.registerSync(QStringLiteral("add_external_stream"), Role::Operator, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString url = p.string(QStringLiteral("stream_url"), 2048);
        if (!p.failed()) {
            const QUrl u(url, QUrl::StrictMode);
            const QString scheme = u.scheme().toLower();
            if (scheme != QLatin1String("rtsp") && scheme != QLatin1String("rtsps"))
                p.fail(QStringLiteral("stream_url"), QStringLiteral("scheme"), QStringLiteral("stream_url must start with rtsp:// or rtsps://"));
            else if (!u.isValid() || u.host().isEmpty())
                p.fail(QStringLiteral("stream_url"), QStringLiteral("pattern"), QStringLiteral("stream_url must name a host"));
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
        const std::optional<QString> type = p.maybeString(QStringLiteral("stream_type"));
        static const QRegularExpression typeRe(QStringLiteral("^[a-z0-9_]{1,32}$"));
        if (!p.failed() && type && !typeRe.match(*type).hasMatch())
            p.fail(QStringLiteral("stream_type"), QStringLiteral("pattern"), QStringLiteral("stream_type must match ^[a-z0-9_]{1,32}$"));
        if (p.failed())
            return p.error();
        // Registering a network camera creates a MediaMTX path that pulls it.
        return mediamtxMissing(s);
    });

    d.registerSync(QStringLiteral("remove_external_stream"), Role::Operator, [](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString url = p.string(QStringLiteral("stream_url"), 2048);
        if (p.failed())
            return p.error();
        return RpcError::notFound(QStringLiteral("external_stream"), redactUrl(url));
    });

    d.registerSync(QStringLiteral("get_external_streams"), Role::Viewer, [](const CallContext &, const QJsonObject &) -> Outcome {
        return externalListResult();
    });

    d.registerSync(QStringLiteral("set_discovery_interval"), Role::Admin, [discoveryEnabled](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const qint64 interval = p.integer(QStringLiteral("scan_interval"), 0, 86400);
        if (!p.failed() && interval > 0 && interval < 10)
            p.fail(QStringLiteral("scan_interval"), QStringLiteral("min"), QStringLiteral("scan_interval must be 0 or 10..86400"), 10);
        if (p.failed())
            return p.error();
        if (!discoveryEnabled())
            return RpcError::unsupported(QStringLiteral("external_discovery"));
        return QJsonObject{{QStringLiteral("scan_interval"), interval},
                           {QStringLiteral("status"), QStringLiteral("UPDATED")},
                           {QStringLiteral("message"), QStringLiteral("Discovery interval set to %1 s").arg(interval)},
                           {QStringLiteral("timestamp"), isoTime(QDateTime::currentDateTimeUtc())}};
    });
}

} // namespace station::api
