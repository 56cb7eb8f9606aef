#pragma once

#include "auth/Role.h"

#include <QString>
#include <QStringList>

namespace station::events {

// The topic catalog of API.md §12.4 (notification method = topic name).
struct TopicInfo {
    QString name;
    auth::Role minRole;
};

const QList<TopicInfo> &topics();
// Canonical name for a topic or alias (recording.started → recording.start); "" when unknown.
QString canonicalTopic(const QString &nameOrAlias);
auth::Role topicMinRole(const QString &canonical);
// Names that are notifications, not methods (calling them gives -32601).
bool isNotificationName(const QString &name);

inline const QString kCameraStatusUpdate = QStringLiteral("camera_status_update");
inline const QString kRecordingStatusUpdate = QStringLiteral("recording_status_update");
inline const QString kSystemHealthUpdate = QStringLiteral("system_health_update");

} // namespace station::events
