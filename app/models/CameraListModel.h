#pragma once

#include "cameras/Camera.h"
#include "core/Services.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QList>

namespace station::app {

// The cameras of the registry for the wall and the camera view, kept current
// from the registry's signals (hot-plug) and the recording service's
// session signals (REC badge). Sorted by camera number like the registry.
class CameraListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY onlineCountChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,
        StatusRole,        // live, offline, error (the registry's state in UI terms)
        StatusTextRole,    // a sentence for the tile when not live
        ResolutionRole,
        FpsRole,
        SourceTypeRole,    // USB camera, network camera, test pattern
        StreamUrlRole,     // local RTSP URL the tile plays
        RecordingRole,
        RecordingSinceRole,  // QDateTime (UTC) or invalid
        RecordingDurationRole,  // requested seconds, 0: until stopped
        IsNetworkRole,
    };
    Q_ENUM(Role)

    explicit CameraListModel(const core::Services &services, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int onlineCount() const;
    Q_INVOKABLE int indexOf(const QString &id) const;
    Q_INVOKABLE QVariantMap get(int row) const;  // all roles of a row by role name, for the camera view

Q_SIGNALS:
    void countChanged();
    void onlineCountChanged();

private:
    struct Row {
        cameras::Camera camera;
        bool recording = false;
        QDateTime recordingSince;
        qint64 recordingDuration = 0;
    };
    void upsert(const cameras::Camera &camera);
    void removeId(const QString &id);
    void setRecording(const QString &device, bool on, const QDateTime &since, qint64 duration);
    int rowOf(const QString &id) const;

    core::Services m_s;
    QList<Row> m_rows;
};

} // namespace station::app
