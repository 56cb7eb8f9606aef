#include "api/CameraJson.h"

#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

namespace station::api {

QJsonObject cameraJson(const cameras::Camera &c, const UrlBuilder &urls, const QString &host, const auth::Identity *viewer, bool withDebug)
{
    QJsonObject o{{QStringLiteral("device"), c.id},
                  {QStringLiteral("status"), c.status},
                  {QStringLiteral("name"), c.name},
                  {QStringLiteral("resolution"), c.resolution},
                  {QStringLiteral("fps"), c.fps},
                  {QStringLiteral("streams"), urls.streams(c.id, host, viewer)},
                  {QStringLiteral("source_type"), c.sourceType}};
    if (withDebug) {
        o.insert(QStringLiteral("debug"), QJsonObject{{QStringLiteral("internal_device_path"), c.devicePath},
                                                      {QStringLiteral("identity"), c.identity},
                                                      {QStringLiteral("source_kind"), c.sourceType},
                                                      {QStringLiteral("ffmpeg_command"), QString()}});
    }
    return o;
}

rpc::Outcome withCamera(const core::Services &s, const rpc::CallContext &ctx, const QJsonObject &params,
                        const std::function<rpc::Outcome(const cameras::Camera &, bool debug)> &then)
{
    rpc::ParamReader p(params);
    const QString device = p.device();
    const bool debug = p.optBool(QStringLiteral("debug"), false) && ctx.session->identity().role >= auth::Role::Admin;
    if (p.failed())
        return p.error();
    const std::optional<cameras::Camera> c = s.cameras->find(device);
    if (!c)
        return rpc::RpcError::notFound(QStringLiteral("camera"), device);
    return then(*c, debug);
}

} // namespace station::api
