#include "api/ApiMethods.h"

#include "api/CameraJson.h"
#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "media/FilenameRules.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QFileInfo>
#include <QJsonArray>

namespace station::api {

using namespace station::rpc;

namespace {

bool wantsDebug(ParamReader &p, const CallContext &ctx)
{
    const bool asked = p.optBool(QStringLiteral("debug"), false);
    return asked && ctx.session->identity().role >= auth::Role::Admin;
}

// -32020 for a camera that is not usable now.
std::optional<RpcError> requireConnected(const cameras::Camera &c)
{
    if (c.status == QLatin1String("CONNECTED"))
        return std::nullopt;
    return RpcError::invalidState(c.status, {QStringLiteral("CONNECTED")});
}

RpcError mediamtxMissing(const core::Services &s)
{
    return RpcError::dependency(QStringLiteral("mediamtx"), s.mediamtx->state() == mediamtx::MediaMtxSupervisor::State::NotInstalled
                                                                ? QStringLiteral("MediaMTX is not installed")
                                                                : QStringLiteral("MediaMTX is not running"));
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
            list.append(cameraJson(c, *s.urls, host, debug));
            connected += c.status == QLatin1String("CONNECTED") ? 1 : 0;
        }
        return QJsonObject{{QStringLiteral("cameras"), list}, {QStringLiteral("total"), list.size()}, {QStringLiteral("connected"), connected}};
    });

    d.registerSync(QStringLiteral("get_camera_status"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString device = p.device();
        const bool debug = wantsDebug(p, ctx);
        if (p.failed())
            return p.error();
        const std::optional<cameras::Camera> c = s.cameras->find(device);
        if (!c)
            return RpcError::notFound(QStringLiteral("camera"), device);
        QJsonObject o = cameraJson(*c, *s.urls, s.urls->hostFor(ctx.session), debug);
        o.insert(QStringLiteral("metrics"), QJsonObject{{QStringLiteral("bytes_sent"), 0}, {QStringLiteral("readers"), 0}, {QStringLiteral("uptime"), 0}});
        o.insert(QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("formats"), QJsonArray::fromStringList(c->formats)},
                                                             {QStringLiteral("resolutions"), QJsonArray::fromStringList(c->resolutions)}});
        o.insert(QStringLiteral("recording"), false);
        o.insert(QStringLiteral("streaming"), false);
        return o;
    });

    d.registerSync(QStringLiteral("get_camera_capabilities"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString device = p.device();
        const bool debug = wantsDebug(p, ctx);
        if (p.failed())
            return p.error();
        const std::optional<cameras::Camera> c = s.cameras->find(device);
        if (!c)
            return RpcError::notFound(QStringLiteral("camera"), device);
        QJsonArray fps;
        for (int f : c->fpsOptions)
            fps.append(f);
        QJsonObject o{{QStringLiteral("device"), c->id},
                      {QStringLiteral("formats"), QJsonArray::fromStringList(c->formats)},
                      {QStringLiteral("resolutions"), QJsonArray::fromStringList(c->resolutions)},
                      {QStringLiteral("fps_options"), fps},
                      {QStringLiteral("validation_status"), c->validationStatus}};
        if (debug)
            o.insert(QStringLiteral("debug"), cameraJson(*c, *s.urls, QString(), true).value(QLatin1String("debug")));
        return o;
    });

    d.registerSync(QStringLiteral("take_snapshot"), Role::Operator, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString device = p.device();
        if (!p.failed() && p.has(QStringLiteral("filename"))) {
            const QString name = p.filename();
            const QString ext = QFileInfo(name).suffix().toLower();
            if (!p.failed() && name.contains(QLatin1Char('.')) && ext != QLatin1String("jpg") && ext != QLatin1String("jpeg"))
                p.fail(QStringLiteral("filename"), QStringLiteral("extension"), media::filenameRuleHint(QStringLiteral("extension")));
        }
        if (p.failed())
            return p.error();
        const std::optional<cameras::Camera> c = s.cameras->find(device);
        if (!c)
            return RpcError::notFound(QStringLiteral("camera"), device);
        if (auto e = requireConnected(*c))
            return *e;
        return mediamtxMissing(s);
    });

    d.registerSync(QStringLiteral("start_recording"), Role::Operator, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString device = p.device();
        p.maybeInteger(QStringLiteral("duration"), 1, 86400);
        const QString format = p.maybeString(QStringLiteral("format")).value_or(QStringLiteral("fmp4"));
        if (!p.failed() && format != QLatin1String("fmp4") && format != QLatin1String("mp4") && format != QLatin1String("mkv"))
            p.fail(QStringLiteral("format"), QStringLiteral("enum"), QStringLiteral("format must be fmp4 or mp4"));
        if (p.failed())
            return p.error();
        const std::optional<cameras::Camera> c = s.cameras->find(device);
        if (!c)
            return RpcError::notFound(QStringLiteral("camera"), device);
        if (format == QLatin1String("mkv"))
            return RpcError::unsupported(QStringLiteral("format:mkv"));
        if (auto e = requireConnected(*c))
            return *e;
        return mediamtxMissing(s);
    });

    d.registerSync(QStringLiteral("stop_recording"), Role::Operator, [s](const CallContext &, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const QString device = p.device();
        if (p.failed())
            return p.error();
        if (!s.cameras->find(device))
            return RpcError::notFound(QStringLiteral("camera"), device);
        return RpcError::invalidState(QStringLiteral("IDLE"), {QStringLiteral("RECORDING")});
    });
}

} // namespace station::api
