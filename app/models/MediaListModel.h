#pragma once

#include "core/Services.h"
#include "media/FileEntry.h"

#include <QAbstractListModel>
#include <QDate>
#include <QList>

namespace station::media { class FileCatalog; }

namespace station::app {

class ThumbnailCache;

// The library: one catalog (recordings or snapshots), newest first, filtered
// by camera and by day range. Follows the catalog's changed() with row
// inserts/removals (not a reset) so the view keeps its scroll position while
// a recording grows.
class MediaListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(QString kind READ kind WRITE setKind NOTIFY kindChanged)             // recordings | snapshots
    Q_PROPERTY(QString cameraFilter READ cameraFilter WRITE setCameraFilter NOTIFY filterChanged)  // "" = all cameras
    // all | today | yesterday | 7d | 30d | yyyy-MM-dd (one local day)
    Q_PROPERTY(QString dateFilter READ dateFilter WRITE setDateFilter NOTIFY filterChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int totalCount READ totalCount NOTIFY countChanged)  // before filtering
public:
    enum Role {
        FilenameRole = Qt::UserRole + 1,
        PathRole,
        FileUrlRole,
        DeviceRole,
        CreatedRole,        // QDateTime, local
        CreatedTextRole,
        SizeRole,
        SizeTextRole,
        DurationRole,       // seconds, -1 unknown (snapshots: -1)
        DurationTextRole,
        ThumbnailRole,      // file URL or "" while it is being made
        InProgressRole,     // a recording still being written
        IsVideoRole,
    };
    Q_ENUM(Role)

    MediaListModel(const core::Services &services, ThumbnailCache *thumbnails, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString kind() const { return m_kind; }
    void setKind(const QString &kind);
    QString cameraFilter() const { return m_camera; }
    void setCameraFilter(const QString &camera);
    QString dateFilter() const { return m_date; }
    void setDateFilter(const QString &filter);
    int totalCount() const { return m_total; }

    Q_INVOKABLE QVariantMap get(int row) const;
    Q_INVOKABLE int indexOf(const QString &filename) const;
    Q_INVOKABLE void refresh();

    // Pure filter rules, public for tests: is `created` (UTC) inside `filter` relative to `today` (local)?
    static bool matchesDate(const QDateTime &created, const QString &filter, const QDate &today);
    static bool isValidDateFilter(const QString &filter);
    static QString sizeText(qint64 bytes);
    static QString durationText(qint64 seconds);

Q_SIGNALS:
    void kindChanged();
    void filterChanged();
    void countChanged();

private:
    media::FileCatalog *catalog() const;
    void sync(const QList<media::FileEntry> &next);
    void onThumbnailReady(const QString &path);

    core::Services m_s;
    ThumbnailCache *m_thumbs;
    QString m_kind = QStringLiteral("recordings");
    QString m_camera;
    QString m_date = QStringLiteral("all");
    QList<media::FileEntry> m_rows;
    int m_total = 0;
};

} // namespace station::app
