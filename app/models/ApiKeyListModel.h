#pragma once

#include "auth/ApiKeyStore.h"

#include <QAbstractListModel>

namespace station::app {

// The API keys of the ApiKeyStore for the settings page (never the keys
// themselves: only their hashes are stored).
class ApiKeyListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { KeyIdRole = Qt::UserRole + 1, NameRole, RoleNameRole, CreatedTextRole, ExpiresTextRole, RevokedRole, StateTextRole };
    Q_ENUM(Role)

    explicit ApiKeyListModel(auth::ApiKeyStore *store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    Q_INVOKABLE void reload();

Q_SIGNALS:
    void countChanged();

private:
    auth::ApiKeyStore *m_store;
    QList<auth::ApiKeyRecord> m_rows;
};

} // namespace station::app
