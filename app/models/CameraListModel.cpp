#include "models/CameraListModel.h"
#include "models/RowMap.h"

#include "api/UrlBuilder.h"
#include "cameras/CameraRegistry.h"
#include "media/RecordingService.h"

#include <algorithm>

namespace station::app {

CameraListModel::CameraListModel(const core::Services &services, QObject *parent)
    : QAbstractListModel(parent), m_s(services)
{
    if (m_s.cameras) {
        for (const cameras::Camera &c : m_s.cameras->cameras())
            upsert(c);
        connect(m_s.cameras, &cameras::CameraRegistry::cameraAdded, this, &CameraListModel::upsert);
        connect(m_s.cameras, &cameras::CameraRegistry::cameraChanged, this,
                [this](const cameras::Camera &c, const QString &) { upsert(c); });
        connect(m_s.cameras, &cameras::CameraRegistry::cameraRemoved, this, &CameraListModel::removeId);
    }
    if (m_s.recordingService) {
        for (const media::RecordingSession &s : m_s.recordingService->sessions())
            setRecording(s.device, true, s.startTime, s.requestedDuration.value_or(0));
        connect(m_s.recordingService, &media::RecordingService::sessionStarted, this, [this](const media::RecordingSession &s) {
            setRecording(s.device, true, s.startTime, s.requestedDuration.value_or(0));
        });
        connect(m_s.recordingService, &media::RecordingService::sessionStopped, this,
                [this](const media::RecordingSession &s) { setRecording(s.device, false, {}, 0); });
    }
}

int CameraListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

QVariant CameraListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const cameras::Camera &c = r.camera;
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return c.name.isEmpty() ? c.id : c.name;
    case IdRole:
        return c.id;
    case StatusRole:
        return c.status == QLatin1String("CONNECTED") ? QStringLiteral("live")
            : c.status == QLatin1String("ERROR")       ? QStringLiteral("error")
                                                       : QStringLiteral("offline");
    case StatusTextRole:
        if (c.status == QLatin1String("ERROR"))
            return c.errorReason.isEmpty() ? tr("The camera reports an error.") : c.errorReason;
        if (c.status == QLatin1String("DISCONNECTED"))
            return c.sourceType == QLatin1String("v4l2") ? tr("Unplugged. Reconnect the USB cable.") : tr("Not reachable.");
        return QString();
    case ResolutionRole:
        return c.resolution;
    case FpsRole:
        return c.fps;
    case SourceTypeRole:
        return c.sourceType == QLatin1String("v4l2") ? tr("USB camera")
            : c.sourceType == QLatin1String("rtsp")  ? tr("Network camera")
                                                     : tr("Test pattern");
    case StreamUrlRole:
        return m_s.urls ? m_s.urls->rtspUrl(c.id, QStringLiteral("127.0.0.1"), &api::UrlBuilder::localViewer()) : QString();
    case RecordingRole:
        return r.recording;
    case RecordingSinceRole:
        return r.recordingSince;
    case RecordingDurationRole:
        return r.recordingDuration;
    case IsNetworkRole:
        return c.sourceType == QLatin1String("rtsp");
    default:
        return {};
    }
}

QHash<int, QByteArray> CameraListModel::roleNames() const
{
    return {{IdRole, "cameraId"},          {NameRole, "name"},
            {StatusRole, "status"},        {StatusTextRole, "statusText"},
            {ResolutionRole, "resolution"}, {FpsRole, "fps"},
            {SourceTypeRole, "sourceType"}, {StreamUrlRole, "streamUrl"},
            {RecordingRole, "recording"},  {RecordingSinceRole, "recordingSince"},
            {RecordingDurationRole, "recordingDuration"}, {IsNetworkRole, "isNetwork"}};
}

int CameraListModel::onlineCount() const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Row &r) { return r.camera.status == QLatin1String("CONNECTED"); }));
}

int CameraListModel::indexOf(const QString &id) const { return rowOf(id); }

QVariantMap CameraListModel::get(int row) const
{
    return rowAsMap(*this, row);
}

int CameraListModel::rowOf(const QString &id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).camera.id == id)
            return i;
    return -1;
}

void CameraListModel::upsert(const cameras::Camera &camera)
{
    const int online = onlineCount();
    const int row = rowOf(camera.id);
    if (row >= 0) {
        m_rows[row].camera = camera;
        Q_EMIT dataChanged(index(row), index(row));
    } else {
        // Keep the registry's order (by camera number).
        const auto pos = std::find_if(m_rows.cbegin(), m_rows.cend(), [&](const Row &r) { return r.camera.number() > camera.number(); });
        const int at = int(pos - m_rows.cbegin());
        beginInsertRows({}, at, at);
        Row r;
        r.camera = camera;
        if (m_s.recordingService) {
            if (const auto s = m_s.recordingService->session(camera.id)) {
                r.recording = true;
                r.recordingSince = s->startTime;
                r.recordingDuration = s->requestedDuration.value_or(0);
            }
        }
        m_rows.insert(at, r);
        endInsertRows();
        Q_EMIT countChanged();
    }
    if (online != onlineCount())
        Q_EMIT onlineCountChanged();
}

void CameraListModel::removeId(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    const int online = onlineCount();
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    Q_EMIT countChanged();
    if (online != onlineCount())
        Q_EMIT onlineCountChanged();
}

void CameraListModel::setRecording(const QString &device, bool on, const QDateTime &since, qint64 duration)
{
    const int row = rowOf(device);
    if (row < 0)
        return;
    Row &r = m_rows[row];
    r.recording = on;
    r.recordingSince = since;
    r.recordingDuration = duration;
    Q_EMIT dataChanged(index(row), index(row), {RecordingRole, RecordingSinceRole, RecordingDurationRole});
}

} // namespace station::app
