#pragma once

#include "core/Services.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace station::app {

// Read-only station status for the UI: the same HealthMonitor evaluation
// that /health/detailed and get_status report, refreshed when it changes.
class StatusController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString overallStatus READ overallStatus NOTIFY changed)
    Q_PROPERTY(QString mediamtxState READ mediamtxState NOTIFY changed)
    Q_PROPERTY(QString mediamtxMessage READ mediamtxMessage NOTIFY changed)
    Q_PROPERTY(int cameraCount READ cameraCount NOTIFY changed)
    Q_PROPERTY(int clientCount READ clientCount NOTIFY changed)
    Q_PROPERTY(QString apiUrl READ apiUrl CONSTANT)
    Q_PROPERTY(QString storageText READ storageText NOTIFY changed)
    Q_PROPERTY(QString version READ version CONSTANT)
public:
    StatusController(const core::Services &services, quint16 apiPort, QObject *parent = nullptr);

    QString overallStatus() const;
    QString mediamtxState() const;
    QString mediamtxMessage() const;
    int cameraCount() const;
    int clientCount() const;
    QString apiUrl() const { return m_apiUrl; }
    QString storageText() const;
    QString version() const;

Q_SIGNALS:
    void changed();

private:
    core::Services m_s;
    QString m_apiUrl;
};

} // namespace station::app
