#pragma once

#include <QString>
#include <QStringList>

namespace station::auth {

// Hierarchical roles of API.md §3: viewer < operator < admin.
enum class Role { None = 0, Viewer = 1, Operator = 2, Admin = 3 };

QString roleName(Role role);              // "viewer", "operator", "admin"; "" for None
Role roleFromName(const QString &name);   // Role::None when unknown
QStringList permissionsFor(Role role);    // ["view"], ["view","control"], ["view","control","admin"]

} // namespace station::auth
