#include "api/ApiMethods.h"

#include "auth/ApiKeyStore.h"
#include "auth/JwtService.h"
#include "events/Topics.h"
#include "health/MetricsRegistry.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QJsonArray>
#include <QUuid>

namespace station::api {

using namespace station::rpc;

void registerSessionMethods(Dispatcher &d, const core::Services &s)
{
    d.registerSync(QStringLiteral("ping"), auth::Role::None, [](const CallContext &, const QJsonObject &) -> Outcome {
        return QJsonValue(QStringLiteral("pong"));
    });

    d.registerSync(QStringLiteral("authenticate"), auth::Role::None, [s, &d](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        std::optional<QString> token = p.maybeString(QStringLiteral("auth_token"));
        std::optional<QString> key = p.maybeString(QStringLiteral("api_key"));
        const std::optional<QString> type = p.maybeString(QStringLiteral("auth_type"));
        if (p.failed())
            return p.error();
        if (token && key) {
            if (!token->isEmpty() && !key->isEmpty())
                return RpcError::invalidParams(QStringLiteral("auth_token"), QStringLiteral("exactly_one_of"),
                                               QStringLiteral("give either auth_token or api_key, not both"));
            if (token->isEmpty())
                token.reset();
            else
                key.reset();
        }
        if (!token && !key)
            return RpcError::invalidParams(QStringLiteral("auth_token"), QStringLiteral("exactly_one_of"),
                                           QStringLiteral("auth_token or api_key is required"));
        if (token && token->isEmpty())
            return RpcError::invalidParams(QStringLiteral("auth_token"), QStringLiteral("non_empty"), QStringLiteral("auth_token must not be empty"));
        if (key && key->isEmpty())
            return RpcError::invalidParams(QStringLiteral("api_key"), QStringLiteral("non_empty"), QStringLiteral("api_key must not be empty"));
        if (token && token->toUtf8().size() > 8192)
            return RpcError::invalidParams(QStringLiteral("auth_token"), QStringLiteral("max_bytes"), QStringLiteral("auth_token must be at most 8192 bytes"), 8192);
        if (key && key->size() > 256)
            return RpcError::invalidParams(QStringLiteral("api_key"), QStringLiteral("max_length"), QStringLiteral("api_key must be at most 256 characters"), 256);
        if (type && !QStringList{QStringLiteral("jwt"), QStringLiteral("api_key"), QStringLiteral("auto")}.contains(*type))
            return RpcError::invalidParams(QStringLiteral("auth_type"), QStringLiteral("enum"), QStringLiteral("auth_type must be jwt, api_key or auto"));

        // auth_type is tolerated for older SDKs: it says how to read auth_token.
        bool useKey = key.has_value();
        QString credential = useKey ? *key : *token;
        if (token && type == QLatin1String("api_key"))
            useKey = true;
        else if (token && type == QLatin1String("auto"))
            useKey = credential.count(QLatin1Char('.')) != 2;

        RpcSession *session = ctx.session;
        qint64 retry = 0;
        if (d.authFailuresExceeded(session->peerKey(), &retry))
            return RpcError::rateLimited(retry);

        const auth::AuthResult r = useKey ? s.apiKeys->authenticate(credential) : s.jwt->verifySession(credential.toUtf8());
        if (!r.ok) {
            d.noteAuthFailure(session->peerKey());
            s.metrics->add(QStringLiteral("camera_station_auth_failures_total"), health::MetricsRegistry::label(QStringLiteral("reason"), r.reason));
            // A failed re-authentication leaves a valid authentication as it was (§2.6).
            return RpcError::authFailed(r.reason, r.expiredAt);
        }
        const bool first = !session->hasEverAuthenticated();
        const QString authSessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        session->setIdentity(r.identity, authSessionId);
        if (first) {
            session->subscriptions().insert(events::kCameraStatusUpdate, QString());
            session->subscriptions().insert(events::kRecordingStatusUpdate, QString());
        }
        return QJsonObject{
            {QStringLiteral("authenticated"), true},
            {QStringLiteral("role"), auth::roleName(r.identity.role)},
            {QStringLiteral("permissions"), QJsonArray::fromStringList(auth::permissionsFor(r.identity.role))},
            {QStringLiteral("expires_at"), r.identity.expiresAt.isValid() ? QJsonValue(isoTime(r.identity.expiresAt)) : QJsonValue()},
            {QStringLiteral("session_id"), authSessionId},
            {QStringLiteral("user_id"), r.identity.userId},
            {QStringLiteral("auth_method"), r.identity.authMethod},
        };
    });
}

} // namespace station::api
