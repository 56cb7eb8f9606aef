#include "api/ApiMethods.h"

#include "api/CameraJson.h"
#include "api/CaptureErrors.h"
#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "media/CaptureService.h"
#include "media/RecordingService.h"
#include "media/SnapshotService.h"
#include "media/StreamingService.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "mediamtx/PathManager.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QJsonArray>
#include <QPointer>

namespace station::api {

using namespace station::rpc;

namespace {

bool wantsDebug(ParamReader &p, const CallContext &ctx)
{
    const bool asked = p.optBool(QStringLiteral("debug"), false);
    return asked && ctx.session->identity().role >= auth::Role::Admin;
}

// take_snapshot (API.md §6.1): read params -> CaptureService::takeSnapshot -> shape the result.
void takeSnapshot(const core::Services &s, const CallContext &ctx, const QJsonObject &params, Reply reply)
{
    ParamReader p(params);
    const QString device = p.device();
    const QString name = p.has(QStringLiteral("filename")) ? p.filename() : QString();
    if (p.failed())
        return reply(p.error());
    QPointer<RpcSession> session(ctx.session);
    s.capture->takeSnapshot(device, name, [s, device, session, reply](const media::Snapshot &snap, const media::CaptureError &e) {
        if (e)
            return reply(toRpcError(e, device));
        const QString host = s.urls->hostFor(session);
        reply(QJsonObject{{QStringLiteral("device"), device},
                          {QStringLiteral("filename"), snap.filename},
                          {QStringLiteral("status"), QStringLiteral("SUCCESS")},
                          {QStringLiteral("timestamp"), isoTime(snap.timestamp)},
                          {QStringLiteral("file_size"), snap.fileSize},
                          {QStringLiteral("file_path"), snap.path},
                          {QStringLiteral("download_url"), session ? s.urls->downloadUrl(QStringLiteral("snapshots"), snap.filename, host, session->identity()) : QString()},
                          {QStringLiteral("resolution"), QStringLiteral("%1x%2").arg(snap.resolution.width()).arg(snap.resolution.height())}});
    });
}

// start_recording (API.md §6.2).
void startRecording(const core::Services &s, const QJsonObject &params, Reply reply)
{
    using media::CaptureService;
    ParamReader p(params);
    const QString device = p.device();
    // The verb's bounds, read here too so a bad duration is reported before a
    // bad format's type, in parameter order, as the contract's reader does.
    const std::optional<qint64> duration = p.maybeInteger(QStringLiteral("duration"), CaptureService::kMinRecordingSeconds, CaptureService::kMaxRecordingSeconds);
    const QString format = p.maybeString(QStringLiteral("format")).value_or(QStringLiteral("fmp4"));
    if (p.failed())
        return reply(p.error());
    s.capture->startRecording(device, duration, format, [device, reply](const media::RecordingSession &r, const media::CaptureError &e) {
        if (e)
            return reply(toRpcError(e, device));
        reply(QJsonObject{{QStringLiteral("device"), device},
                          {QStringLiteral("filename"), r.files.value(0)},
                          {QStringLiteral("status"), QStringLiteral("RECORDING")},
                          {QStringLiteral("start_time"), isoTime(r.startTime)},
                          {QStringLiteral("format"), r.format},
                          {QStringLiteral("duration"), r.requestedDuration ? QJsonValue(*r.requestedDuration) : QJsonValue()},
                          {QStringLiteral("session_id"), r.id}});
    });
}

// stop_recording (API.md §6.3).
void stopRecording(const core::Services &s, const QJsonObject &params, Reply reply)
{
    ParamReader p(params);
    const QString device = p.device();
    if (p.failed())
        return reply(p.error());
    s.capture->stopRecording(device, [device, reply](const media::RecordingSession &r, const media::CaptureError &e) {
        if (e)
            return reply(toRpcError(e, device));
        reply(QJsonObject{{QStringLiteral("device"), device},
                          {QStringLiteral("filename"), r.files.value(0)},
                          {QStringLiteral("status"), QStringLiteral("STOPPED")},
                          {QStringLiteral("start_time"), isoTime(r.startTime)},
                          {QStringLiteral("end_time"), isoTime(r.endTime)},
                          {QStringLiteral("duration"), r.elapsedSeconds()},
                          {QStringLiteral("file_size"), r.fileSize},
                          {QStringLiteral("format"), r.format},
                          {QStringLiteral("session_id"), r.id},
                          {QStringLiteral("files"), QJsonArray::fromStringList(r.files)},
                          {QStringLiteral("reason"), r.reason}});
    });
}

} // namespace

void registerCameraMethods(Dispatcher &d, const core::Services &s)
{
    using auth::Role;

    d.registerSync(QStringLiteral("get_camera_list"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const bool debug = wantsDebug(p, ctx);
        if (p.failed())
            return p.error();
        const QString host = s.urls->hostFor(ctx.session);
        QJsonArray list;
        int connected = 0;
        for (const cameras::Camera &c : s.cameras->cameras()) {
            list.append(cameraJson(c, *s.urls, host, &ctx.session->identity(), debug));
            connected += c.status == QLatin1String("CONNECTED") ? 1 : 0;
        }
        return QJsonObject{{QStringLiteral("cameras"), list}, {QStringLiteral("total"), list.size()}, {QStringLiteral("connected"), connected}};
    });

    d.registerSync(QStringLiteral("get_camera_status"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) {
        return withCamera(s, ctx, params, [s, &ctx](const cameras::Camera &c, bool debug) -> Outcome {
            QJsonObject o = cameraJson(c, *s.urls, s.urls->hostFor(ctx.session), &ctx.session->identity(), debug);
            const mediamtx::PathStatus ps = s.paths->status(c.id);
            const bool live = ps.ready && s.mediamtx->available();
            o.insert(QStringLiteral("metrics"), QJsonObject{{QStringLiteral("bytes_sent"), live ? ps.bytesSent : 0},
                                                            {QStringLiteral("readers"), live ? s.paths->externalReaders(c.id) : 0},
                                                            {QStringLiteral("uptime"), live && ps.readyTime.isValid() ? ps.readyTime.secsTo(QDateTime::currentDateTimeUtc()) : 0}});
            o.insert(QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("formats"), QJsonArray::fromStringList(c.formats)},
                                                                 {QStringLiteral("resolutions"), QJsonArray::fromStringList(c.resolutions)}});
            o.insert(QStringLiteral("recording"), s.recordingService->isRecording(c.id));
            o.insert(QStringLiteral("streaming"), s.streamingService->isStreaming(c.id));
            return o;
        });
    });

    d.registerSync(QStringLiteral("get_camera_capabilities"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) {
        return withCamera(s, ctx, params, [s](const cameras::Camera &c, bool debug) -> Outcome {
            QJsonArray fps;
            for (int f : c.fpsOptions)
                fps.append(f);
            QJsonObject o{{QStringLiteral("device"), c.id},
                          {QStringLiteral("formats"), QJsonArray::fromStringList(c.formats)},
                          {QStringLiteral("resolutions"), QJsonArray::fromStringList(c.resolutions)},
                          {QStringLiteral("fps_options"), fps},
                          {QStringLiteral("validation_status"), c.validationStatus}};
            if (debug)
                o.insert(QStringLiteral("debug"), cameraJson(c, *s.urls, QString(), nullptr, true).value(QLatin1String("debug")));
            return o;
        });
    });

    d.registerAsync(QStringLiteral("take_snapshot"), Role::Operator, [s](const CallContext &ctx, const QJsonObject &params, Reply reply) {
        takeSnapshot(s, ctx, params, std::move(reply));
    }, QStringLiteral("camera"));
    d.registerAsync(QStringLiteral("start_recording"), Role::Operator, [s](const CallContext &, const QJsonObject &params, Reply reply) {
        startRecording(s, params, std::move(reply));
    }, QStringLiteral("camera"));
    d.registerAsync(QStringLiteral("stop_recording"), Role::Operator, [s](const CallContext &, const QJsonObject &params, Reply reply) {
        stopRecording(s, params, std::move(reply));
    }, QStringLiteral("camera"));
}

} // namespace station::api
