#include "api/ApiMethods.h"

#include "events/Topics.h"
#include "rpc/ConnectionStats.h"
#include "rpc/Dispatcher.h"
#include "rpc/ParamReader.h"
#include "rpc/RpcSession.h"

#include <QJsonArray>

namespace station::api {

using namespace station::rpc;

namespace {

// Validates `topics` (1..64 known names or aliases) into canonical names.
std::optional<QStringList> readTopics(ParamReader &p, bool required)
{
    if (required && !p.has(QStringLiteral("topics"))) {
        p.fail(QStringLiteral("topics"), QStringLiteral("required"), QStringLiteral("topics is required"));
        return std::nullopt;
    }
    const std::optional<QStringList> names = p.maybeStringArray(QStringLiteral("topics"), 64);
    if (!names)
        return std::nullopt;
    QStringList canonical;
    for (qsizetype i = 0; i < names->size(); ++i) {
        const QString c = events::canonicalTopic(names->at(i));
        if (c.isEmpty()) {
            p.fail(QStringLiteral("topics[%1]").arg(i), QStringLiteral("unknown_topic"), QStringLiteral("unknown topic '%1'").arg(names->at(i).left(64)));
            return std::nullopt;
        }
        if (!canonical.contains(c))
            canonical << c;
    }
    return canonical;
}

} // namespace

void registerEventMethods(Dispatcher &d, const core::Services &s)
{
    using auth::Role;
    d.registerSync(QStringLiteral("subscribe_events"), Role::Viewer, [](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const std::optional<QStringList> topics = readTopics(p, true);
        const std::optional<QJsonObject> filters = p.maybeObject(QStringLiteral("filters"));
        QString device;
        if (!p.failed() && filters) {
            for (auto it = filters->begin(); it != filters->end(); ++it) {
                if (it.key() != QLatin1String("device")) {
                    p.fail(QStringLiteral("filters.") + it.key().left(64), QStringLiteral("unknown_filter"), QStringLiteral("the only filter is device"));
                    break;
                }
            }
            ParamReader fp(*filters);
            device = fp.maybeDevice().value_or(QString());
            if (fp.failed()) {
                RpcError e = fp.error();
                e.data.insert(QStringLiteral("param"), QStringLiteral("filters.device"));
                p.fail(e);
            }
        }
        if (p.failed())
            return p.error();
        RpcSession *session = ctx.session;
        QStringList added, denied;
        for (const QString &t : *topics) {
            if (session->identity().role < events::topicMinRole(t)) {
                denied << t;
                continue;
            }
            session->subscriptions().insert(t, device);
            added << t;
        }
        QJsonObject appliedFilters;
        if (!device.isEmpty())
            appliedFilters.insert(QStringLiteral("device"), device);
        return QJsonObject{{QStringLiteral("subscribed"), true},
                           {QStringLiteral("topics"), QJsonArray::fromStringList(added)},
                           {QStringLiteral("filters"), appliedFilters},
                           {QStringLiteral("denied_topics"), QJsonArray::fromStringList(denied)}};
    });

    d.registerSync(QStringLiteral("unsubscribe_events"), Role::Viewer, [](const CallContext &ctx, const QJsonObject &params) -> Outcome {
        ParamReader p(params);
        const std::optional<QStringList> topics = readTopics(p, false);
        if (p.failed())
            return p.error();
        QHash<QString, QString> &subs = ctx.session->subscriptions();
        QStringList removed;
        if (topics) {
            for (const QString &t : *topics)
                subs.remove(t);
            removed = *topics;
        } else {
            removed = subs.keys();
            removed.sort();
            subs.clear();
        }
        return QJsonObject{{QStringLiteral("unsubscribed"), true}, {QStringLiteral("topics"), QJsonArray::fromStringList(removed)}};
    });

    d.registerSync(QStringLiteral("get_subscription_stats"), Role::Viewer, [s](const CallContext &ctx, const QJsonObject &) -> Outcome {
        qint64 total = 0, active = 0;
        QMap<QString, int> counts;
        for (const RpcSession *session : s.connections->sessions()) {
            if (!session->isAuthenticated() || session->subscriptions().isEmpty())
                continue;
            ++active;
            total += session->subscriptions().size();
            for (auto it = session->subscriptions().cbegin(); it != session->subscriptions().cend(); ++it)
                counts[it.key()] += 1;
        }
        QJsonObject topicCounts;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            topicCounts.insert(it.key(), it.value());
        QStringList mine = ctx.session->subscriptions().keys();
        mine.sort();
        return QJsonObject{{QStringLiteral("global_stats"), QJsonObject{{QStringLiteral("total_subscriptions"), total},
                                                                        {QStringLiteral("active_clients"), active},
                                                                        {QStringLiteral("topic_counts"), topicCounts}}},
                           {QStringLiteral("client_topics"), QJsonArray::fromStringList(mine)},
                           {QStringLiteral("client_id"), ctx.session->clientId()}};
    });
}

} // namespace station::api
