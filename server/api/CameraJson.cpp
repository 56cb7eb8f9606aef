#include "api/CameraJson.h"

#include "api/UrlBuilder.h"

namespace station::api {

QJsonObject cameraJson(const cameras::Camera &c, const UrlBuilder &urls, const QString &host, bool withDebug)
{
    QJsonObject o{{QStringLiteral("device"), c.id},
                  {QStringLiteral("status"), c.status},
                  {QStringLiteral("name"), c.name},
                  {QStringLiteral("resolution"), c.resolution},
                  {QStringLiteral("fps"), c.fps},
                  {QStringLiteral("streams"), urls.streams(c.id, host)},
                  {QStringLiteral("source_type"), c.sourceType}};
    if (withDebug) {
        o.insert(QStringLiteral("debug"), QJsonObject{{QStringLiteral("internal_device_path"), c.devicePath},
                                                      {QStringLiteral("identity"), c.identity},
                                                      {QStringLiteral("source_kind"), c.sourceType},
                                                      {QStringLiteral("ffmpeg_command"), QString()}});
    }
    return o;
}

} // namespace station::api
