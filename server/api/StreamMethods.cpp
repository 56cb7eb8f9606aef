#include "api/ApiMethods.h"

#include "cameras/CameraRegistry.h"
#include "config/Config.h"
#include "mediamtx/MediaMtxSupervisor.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"

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
    const auto needsMediaMtx = [s](const cameras::Camera &c) -> Outcome {
        if (c.status != QLatin1String("CONNECTED"))
            return RpcError::invalidState(c.status, {QStringLiteral("CONNECTED")});
        return mediamtxMissing(s);
    };
    d.registerSync(QStringLiteral("start_streaming"), Role::Operator, [s, needsMediaMtx](const CallContext &, const QJsonObject &params) {
        return withCamera(s, params, needsMediaMtx);
    });
    d.registerSync(QStringLiteral("stop_streaming"), Role::Operator, [s](const CallContext &, const QJsonObject &params) {
        return withCamera(s, params, [](const cameras::Camera &) -> Outcome {
            return RpcError::invalidState(QStringLiteral("NOT_STREAMING"), {QStringLiteral("STREAMING")});
        });
    });
    d.registerSync(QStringLiteral("get_stream_url"), Role::Viewer, [s, needsMediaMtx](const CallContext &, const QJsonObject &params) {
        return withCamera(s, params, needsMediaMtx);
    });
    d.registerSync(QStringLiteral("get_stream_status"), Role::Viewer, [s](const CallContext &, const QJsonObject &params) {
        return withCamera(s, params, [s](const cameras::Camera &) -> Outcome { return mediamtxMissing(s); });
    });
    d.registerSync(QStringLiteral("get_streams"), Role::Viewer, [s](const CallContext &, const QJsonObject &) -> Outcome {
        if (!s.mediamtx->available())
            return mediamtxMissing(s);
        return QJsonValue(QJsonArray());
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
