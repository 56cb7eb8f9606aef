#include "auth/Role.h"

namespace station::auth {

QString roleName(Role role)
{
    switch (role) {
    case Role::Viewer: return QStringLiteral("viewer");
    case Role::Operator: return QStringLiteral("operator");
    case Role::Admin: return QStringLiteral("admin");
    case Role::None: break;
    }
    return {};
}

Role roleFromName(const QString &name)
{
    if (name == QLatin1String("viewer")) return Role::Viewer;
    if (name == QLatin1String("operator")) return Role::Operator;
    if (name == QLatin1String("admin")) return Role::Admin;
    return Role::None;
}

QStringList permissionsFor(Role role)
{
    QStringList p;
    if (role >= Role::Viewer) p << QStringLiteral("view");
    if (role >= Role::Operator) p << QStringLiteral("control");
    if (role >= Role::Admin) p << QStringLiteral("admin");
    return p;
}

} // namespace station::auth
