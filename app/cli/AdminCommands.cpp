#include "cli/AdminCommands.h"

#include "auth/ApiKeyStore.h"
#include "auth/JwtService.h"
#include "auth/SecretProvider.h"
#include "config/Config.h"
#include "rpc/RpcError.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace station::app {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

} // namespace

qint64 parseDuration(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t.isEmpty())
        return -1;
    qint64 unit = 1;
    QString number = t;
    const QChar last = t.back();
    if (last == QLatin1Char('s') || last == QLatin1Char('m') || last == QLatin1Char('h') || last == QLatin1Char('d')) {
        unit = last == QLatin1Char('m') ? 60 : last == QLatin1Char('h') ? 3600 : last == QLatin1Char('d') ? 86400 : 1;
        number.chop(1);
    }
    bool ok = false;
    const qint64 n = number.toLongLong(&ok);
    return ok && n > 0 ? n * unit : -1;
}

int runTokenCommand(const config::Config &config, const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Print a JWT signed with the station's secret."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("role"), QStringLiteral("viewer, operator or admin"), QStringLiteral("role")});
    parser.addOption({QStringLiteral("user"), QStringLiteral("user_id claim"), QStringLiteral("user")});
    parser.addOption({QStringLiteral("ttl"), QStringLiteral("lifetime, e.g. 24h, 30m, 7d (default 24h)"), QStringLiteral("ttl"), QStringLiteral("24h")});
    parser.addOption({QStringLiteral("stream"), QStringLiteral("a read token for one camera's stream (append ?token=... to its RTSP/HLS/WebRTC URL), e.g. for a central recorder"),
                      QStringLiteral("camera")});
    if (!parser.parse(args)) {
        err() << parser.errorText() << Qt::endl;
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return 0;
    }
    const auth::Role role = auth::roleFromName(parser.value(QStringLiteral("role")));
    const QString user = parser.value(QStringLiteral("user"));
    const qint64 ttl = parseDuration(parser.value(QStringLiteral("ttl")));
    if (role == auth::Role::None || user.isEmpty() || user.size() > 128 || ttl <= 0) {
        err() << "usage: camera-station token --role viewer|operator|admin --user NAME [--ttl 24h] [--stream CAMERA]" << Qt::endl;
        return 2;
    }
    const qint64 maxLifetime = config.integer(QStringLiteral("security.max_token_lifetime_s"));
    if (ttl > maxLifetime) {
        err() << "--ttl is longer than security.max_token_lifetime_s (" << maxLifetime << " s): the station would refuse the token" << Qt::endl;
        return 2;
    }
    const auth::SecretResult secret = auth::resolveJwtSecret(config);
    if (!secret.ok()) {
        err() << secret.error << Qt::endl;
        return 1;
    }
    const auth::JwtService jwt(secret.secret);
    if (parser.isSet(QStringLiteral("stream"))) {
        // The same token the API puts in stream URLs, for a reader configured by hand.
        out() << jwt.mintStream(user, role, parser.value(QStringLiteral("stream")), ttl, {}) << Qt::endl;
        return 0;
    }
    out() << jwt.mintSession(user, role, ttl) << Qt::endl;
    return 0;
}

int runApiKeyCommand(const config::Config &config, const QStringList &args)
{
    const QString verb = args.value(1);
    auth::ApiKeyStore store(config.resolvePath(config.string(QStringLiteral("security.api_keys_file"))));
    QString error;
    if (!store.load(&error)) {
        err() << "cannot read API keys: " << error << Qt::endl;
        return 1;
    }
    if (verb == QLatin1String("create")) {
        QCommandLineParser parser;
        parser.addOption({QStringLiteral("role"), QStringLiteral("viewer, operator or admin"), QStringLiteral("role")});
        parser.addOption({QStringLiteral("name"), QStringLiteral("label"), QStringLiteral("name")});
        parser.addOption({QStringLiteral("ttl"), QStringLiteral("lifetime, e.g. 90d; default: never expires"), QStringLiteral("ttl")});
        QStringList rest = args;
        rest.removeAt(1);
        if (!parser.parse(rest)) {
            err() << parser.errorText() << Qt::endl;
            return 2;
        }
        const auth::Role role = auth::roleFromName(parser.value(QStringLiteral("role")));
        const qint64 ttl = parser.isSet(QStringLiteral("ttl")) ? parseDuration(parser.value(QStringLiteral("ttl"))) : 0;
        if (role == auth::Role::None || ttl < 0) {
            err() << "usage: camera-station apikey create --role viewer|operator|admin [--name LABEL] [--ttl 90d]" << Qt::endl;
            return 2;
        }
        auth::ApiKeyRecord record;
        const QString key = store.create(role, parser.value(QStringLiteral("name")), ttl, &record, &error);
        if (key.isEmpty()) {
            err() << "cannot create the key: " << error << Qt::endl;
            return 1;
        }
        out() << key << Qt::endl;
        err() << "key " << record.id << " (" << auth::roleName(record.role) << ") created; it is shown only this once" << Qt::endl;
        return 0;
    }
    if (verb == QLatin1String("list")) {
        out() << QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("ID"), -12).arg(QStringLiteral("ROLE"), -8)
                     .arg(QStringLiteral("STATE"), -8).arg(QStringLiteral("EXPIRES"), -24).arg(QStringLiteral("NAME"))
              << Qt::endl;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (const auth::ApiKeyRecord &r : store.list()) {
            const QString state = r.revoked ? QStringLiteral("revoked")
                                : (r.expiresAt.isValid() && r.expiresAt <= now) ? QStringLiteral("expired")
                                                                                 : QStringLiteral("active");
            out() << QStringLiteral("%1  %2  %3  %4  %5").arg(r.id, -12).arg(auth::roleName(r.role), -8).arg(state, -8)
                         .arg(r.expiresAt.isValid() ? rpc::isoTime(r.expiresAt) : QStringLiteral("never"), -24).arg(r.name)
                  << Qt::endl;
        }
        return 0;
    }
    if (verb == QLatin1String("revoke")) {
        const QString id = args.value(2);
        if (id.isEmpty()) {
            err() << "usage: camera-station apikey revoke KEY_ID" << Qt::endl;
            return 2;
        }
        if (!store.revoke(id, &error)) {
            err() << "cannot revoke: " << error << Qt::endl;
            return 1;
        }
        out() << "revoked " << id << Qt::endl;
        return 0;
    }
    err() << "usage: camera-station apikey create|list|revoke ..." << Qt::endl;
    return 2;
}

} // namespace station::app
