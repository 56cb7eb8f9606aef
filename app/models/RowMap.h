#pragma once

#include <QAbstractItemModel>
#include <QVariantMap>

namespace station::app {

// Every role of one row, keyed by role name: what QML's model.get(row) gives.
inline QVariantMap rowAsMap(const QAbstractItemModel &model, int row)
{
    QVariantMap m;
    if (row < 0 || row >= model.rowCount())
        return m;
    const QHash<int, QByteArray> names = model.roleNames();
    const QModelIndex index = model.index(row, 0);
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        m.insert(QString::fromLatin1(it.value()), model.data(index, it.key()));
    return m;
}

} // namespace station::app
