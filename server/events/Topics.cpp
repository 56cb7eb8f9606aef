#include "events/Topics.h"

#include <QHash>

namespace station::events {

using auth::Role;

const QList<TopicInfo> &topics()
{
    static const QList<TopicInfo> list = {
        {QStringLiteral("camera_status_update"), Role::Viewer},
        {QStringLiteral("recording_status_update"), Role::Viewer},
        {QStringLiteral("system_health_update"), Role::Admin},
        {QStringLiteral("camera.connected"), Role::Viewer},
        {QStringLiteral("camera.disconnected"), Role::Viewer},
        {QStringLiteral("camera.status_change"), Role::Viewer},
        {QStringLiteral("camera.capability_detected"), Role::Viewer},
        {QStringLiteral("camera.capability_error"), Role::Viewer},
        {QStringLiteral("recording.start"), Role::Viewer},
        {QStringLiteral("recording.stop"), Role::Viewer},
        {QStringLiteral("recording.progress"), Role::Viewer},
        {QStringLiteral("recording.error"), Role::Viewer},
        {QStringLiteral("snapshot.taken"), Role::Viewer},
        {QStringLiteral("snapshot.error"), Role::Viewer},
        {QStringLiteral("system.health"), Role::Admin},
        {QStringLiteral("system.error"), Role::Admin},
        {QStringLiteral("system.startup"), Role::Viewer},
        {QStringLiteral("system.shutdown"), Role::Viewer},
        {QStringLiteral("mediamtx.stream"), Role::Viewer},
        {QStringLiteral("mediamtx.stream_started"), Role::Viewer},
        {QStringLiteral("mediamtx.stream_stopped"), Role::Viewer},
        {QStringLiteral("mediamtx.path"), Role::Viewer},
        {QStringLiteral("mediamtx.error"), Role::Admin},
        {QStringLiteral("mediamtx.recording_started"), Role::Viewer},
        {QStringLiteral("mediamtx.recording_stopped"), Role::Viewer},
        {QStringLiteral("mediamtx.recording_failed"), Role::Viewer},
    };
    return list;
}

static const QHash<QString, Role> &index()
{
    static const QHash<QString, Role> h = [] {
        QHash<QString, Role> m;
        for (const TopicInfo &t : topics())
            m.insert(t.name, t.minRole);
        return m;
    }();
    return h;
}

QString canonicalTopic(const QString &nameOrAlias)
{
    if (nameOrAlias == QLatin1String("recording.started"))
        return QStringLiteral("recording.start");
    if (nameOrAlias == QLatin1String("recording.stopped"))
        return QStringLiteral("recording.stop");
    return index().contains(nameOrAlias) ? nameOrAlias : QString();
}

Role topicMinRole(const QString &canonical)
{
    return index().value(canonical, Role::Admin);
}

bool isNotificationName(const QString &name)
{
    return index().contains(name);
}

} // namespace station::events
