#include "models/MediaListModel.h"
#include "models/RowMap.h"

#include "media/FileCatalog.h"
#include "media/RecordingService.h"
#include "models/ThumbnailCache.h"

#include <QLocale>
#include <QSet>
#include <QUrl>

namespace station::app {

MediaListModel::MediaListModel(const core::Services &services, ThumbnailCache *thumbnails, QObject *parent)
    : QAbstractListModel(parent), m_s(services), m_thumbs(thumbnails)
{
    for (media::FileCatalog *c : {m_s.recordings, m_s.snapshots})
        if (c)
            connect(c, &media::FileCatalog::changed, this, [this, c] {
                if (c == catalog())
                    refresh();
            });
    if (m_thumbs)
        connect(m_thumbs, &ThumbnailCache::ready, this, &MediaListModel::onThumbnailReady);
    refresh();
}

media::FileCatalog *MediaListModel::catalog() const
{
    return m_kind == QLatin1String("snapshots") ? m_s.snapshots : m_s.recordings;
}

int MediaListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

QString MediaListModel::sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

QString MediaListModel::durationText(qint64 seconds)
{
    if (seconds < 0)
        return {};
    const qint64 h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
    return h > 0 ? QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'))
                 : QStringLiteral("%1:%2").arg(m).arg(s, 2, 10, QLatin1Char('0'));
}

QVariant MediaListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const media::FileEntry &e = m_rows.at(index.row());
    const bool video = m_kind != QLatin1String("snapshots");
    switch (role) {
    case Qt::DisplayRole:
    case FilenameRole:
        return e.filename;
    case PathRole:
        return e.absolutePath;
    case FileUrlRole:
        return QUrl::fromLocalFile(e.absolutePath).toString();
    case DeviceRole:
        return e.device;
    case CreatedRole:
        return e.created.toLocalTime();
    case CreatedTextRole: {
        const QDateTime local = e.created.toLocalTime();
        const QDate today = QDate::currentDate();
        const QString time = QLocale().toString(local.time(), QStringLiteral("HH:mm:ss"));
        if (local.date() == today)
            return tr("Today %1").arg(time);
        if (local.date() == today.addDays(-1))
            return tr("Yesterday %1").arg(time);
        return QLocale().toString(local.date(), QLocale::ShortFormat) + QLatin1Char(' ') + time;
    }
    case SizeRole:
        return e.size;
    case SizeTextRole:
        return sizeText(e.size);
    case DurationRole:
        return e.durationSeconds ? *e.durationSeconds : qint64(-1);
    case DurationTextRole:
        return e.durationSeconds ? durationText(*e.durationSeconds) : QString();
    case ThumbnailRole:
        return m_thumbs ? m_thumbs->thumbnail(e.absolutePath, video) : QString();
    case InProgressRole:
        return video && m_s.recordingService && m_s.recordingService->isFileInProgress(e.filename);
    case IsVideoRole:
        return video;
    default:
        return {};
    }
}

QHash<int, QByteArray> MediaListModel::roleNames() const
{
    return {{FilenameRole, "filename"},       {PathRole, "path"},         {FileUrlRole, "fileUrl"},
            {DeviceRole, "device"},           {CreatedRole, "created"},   {CreatedTextRole, "createdText"},
            {SizeRole, "size"},               {SizeTextRole, "sizeText"}, {DurationRole, "duration"},
            {DurationTextRole, "durationText"}, {ThumbnailRole, "thumbnail"}, {InProgressRole, "inProgress"},
            {IsVideoRole, "isVideo"}};
}

void MediaListModel::setKind(const QString &kind)
{
    const QString k = kind == QLatin1String("snapshots") ? kind : QStringLiteral("recordings");
    if (k == m_kind)
        return;
    m_kind = k;
    // Another folder altogether: a reset, not a diff.
    beginResetModel();
    m_rows.clear();
    endResetModel();
    Q_EMIT kindChanged();
    refresh();
}

void MediaListModel::setCameraFilter(const QString &camera)
{
    if (camera == m_camera)
        return;
    m_camera = camera;
    Q_EMIT filterChanged();
    refresh();
}

void MediaListModel::setDateFilter(const QString &filter)
{
    const QString f = isValidDateFilter(filter) ? filter : QStringLiteral("all");
    if (f == m_date)
        return;
    m_date = f;
    Q_EMIT filterChanged();
    refresh();
}

bool MediaListModel::isValidDateFilter(const QString &f)
{
    static const QStringList presets{QStringLiteral("all"), QStringLiteral("today"), QStringLiteral("yesterday"), QStringLiteral("7d"),
                                     QStringLiteral("30d")};
    return presets.contains(f) || QDate::fromString(f, Qt::ISODate).isValid();
}

bool MediaListModel::matchesDate(const QDateTime &created, const QString &f, const QDate &today)
{
    const QDate day = created.toLocalTime().date();
    if (f.isEmpty() || f == QLatin1String("all"))
        return true;
    if (f == QLatin1String("today"))
        return day == today;
    if (f == QLatin1String("yesterday"))
        return day == today.addDays(-1);
    if (f == QLatin1String("7d"))
        return day > today.addDays(-7) && day <= today;
    if (f == QLatin1String("30d"))
        return day > today.addDays(-30) && day <= today;
    const QDate exact = QDate::fromString(f, Qt::ISODate);
    return exact.isValid() && day == exact;
}

void MediaListModel::refresh()
{
    media::FileCatalog *c = catalog();
    QList<media::FileEntry> all = c ? c->all() : QList<media::FileEntry>();
    const QDate today = QDate::currentDate();
    QList<media::FileEntry> next;
    for (const media::FileEntry &e : all)
        if ((m_camera.isEmpty() || e.device == m_camera) && matchesDate(e.created, m_date, today))
            next.append(e);
    const int before = m_total;
    m_total = int(all.size());
    sync(next);
    if (before != m_total)
        Q_EMIT countChanged();
}

void MediaListModel::sync(const QList<media::FileEntry> &next)
{
    const int oldCount = rowCount();
    QSet<QString> keep;
    for (const media::FileEntry &e : next)
        keep.insert(e.filename);
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (!keep.contains(m_rows.at(i).filename)) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        }
    }
    for (int j = 0; j < next.size(); ++j) {
        if (j < m_rows.size() && m_rows.at(j).filename == next.at(j).filename) {
            const media::FileEntry &o = m_rows.at(j);
            const media::FileEntry &n = next.at(j);
            if (o.size != n.size || o.modified != n.modified || o.durationSeconds != n.durationSeconds) {
                m_rows[j] = n;
                Q_EMIT dataChanged(index(j), index(j));
            }
            continue;
        }
        beginInsertRows({}, j, j);
        m_rows.insert(j, next.at(j));
        endInsertRows();
    }
    // The catalog reordered files we still show: fall back to a reset.
    if (m_rows.size() != next.size()) {
        beginResetModel();
        m_rows = next;
        endResetModel();
    }
    if (oldCount != rowCount())
        Q_EMIT countChanged();
}

void MediaListModel::onThumbnailReady(const QString &path)
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).absolutePath == path)
            Q_EMIT dataChanged(index(i), index(i), {ThumbnailRole});
}

QVariantMap MediaListModel::get(int row) const
{
    return rowAsMap(*this, row);
}

int MediaListModel::indexOf(const QString &filename) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).filename == filename)
            return i;
    return -1;
}

} // namespace station::app
