#include "models/ApiKeyListModel.h"

#include <QLocale>

namespace station::app {

ApiKeyListModel::ApiKeyListModel(auth::ApiKeyStore *store, QObject *parent) : QAbstractListModel(parent), m_store(store)
{
    reload();
}

int ApiKeyListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

QVariant ApiKeyListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auth::ApiKeyRecord &r = m_rows.at(index.row());
    const bool expired = r.expiresAt.isValid() && r.expiresAt < QDateTime::currentDateTimeUtc();
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return r.name.isEmpty() ? r.id : r.name;
    case KeyIdRole:
        return r.id;
    case RoleNameRole:
        return auth::roleName(r.role);
    case CreatedTextRole:
        return QLocale().toString(r.createdAt.toLocalTime(), QLocale::ShortFormat);
    case ExpiresTextRole:
        return r.expiresAt.isValid() ? QLocale().toString(r.expiresAt.toLocalTime(), QLocale::ShortFormat) : tr("never");
    case RevokedRole:
        return r.revoked;
    case StateTextRole:
        return r.revoked ? tr("revoked") : expired ? tr("expired") : tr("active");
    default:
        return {};
    }
}

QHash<int, QByteArray> ApiKeyListModel::roleNames() const
{
    return {{KeyIdRole, "keyId"},       {NameRole, "name"},       {RoleNameRole, "roleName"}, {CreatedTextRole, "createdText"},
            {ExpiresTextRole, "expiresText"}, {RevokedRole, "revoked"}, {StateTextRole, "stateText"}};
}

void ApiKeyListModel::reload()
{
    // A handful of keys: a reset is the honest update.
    const int before = rowCount();
    beginResetModel();
    m_rows = m_store ? m_store->list() : QList<auth::ApiKeyRecord>();
    endResetModel();
    if (before != rowCount())
        Q_EMIT countChanged();
}

} // namespace station::app
