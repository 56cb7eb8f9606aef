#pragma once

#include "core/Services.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace station::app {

// Read-only station status for the UI: the same HealthMonitor evaluation
// that /health/detailed and get_status report, refreshed when it changes,
// plus host figures sampled every two seconds.
class StatusController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString overallStatus READ overallStatus NOTIFY changed)
    Q_PROPERTY(QString mediamtxState READ mediamtxState NOTIFY changed)    // running, starting, not_installed, stopped, error
    Q_PROPERTY(QString mediamtxMessage READ mediamtxMessage NOTIFY changed)  // a sentence
    Q_PROPERTY(QString mediamtxFix READ mediamtxFix NOTIFY changed)          // one line to run, or ""
    Q_PROPERTY(int cameraCount READ cameraCount NOTIFY changed)
    Q_PROPERTY(int camerasOnline READ camerasOnline NOTIFY changed)
    Q_PROPERTY(int clientCount READ clientCount NOTIFY changed)
    Q_PROPERTY(QString apiUrl READ apiUrl CONSTANT)
    Q_PROPERTY(QString storageText READ storageText NOTIFY changed)
    Q_PROPERTY(double diskPercent READ diskPercent NOTIFY changed)
    Q_PROPERTY(double cpuPercent READ cpuPercent NOTIFY sampled)
    Q_PROPERTY(double memoryPercent READ memoryPercent NOTIFY sampled)
    Q_PROPERTY(QString processMemoryText READ processMemoryText NOTIFY sampled)
    Q_PROPERTY(QString version READ version CONSTANT)
    Q_PROPERTY(QString qtVersion READ qtVersion CONSTANT)
    // ui.demo_notice: the run command started a demo (MediaMTX stand-in,
    // test-pattern cameras). Empty when not a demo.
    Q_PROPERTY(QString demoNotice READ demoNotice CONSTANT)
    Q_PROPERTY(QString demoFix READ demoFix CONSTANT)
public:
    StatusController(const core::Services &services, quint16 apiPort, QObject *parent = nullptr);

    QString overallStatus() const;
    QString mediamtxState() const;
    QString mediamtxMessage() const;
    QString mediamtxFix() const;
    int cameraCount() const;
    int camerasOnline() const;
    int clientCount() const;
    QString apiUrl() const { return m_apiUrl; }
    QString storageText() const;
    double diskPercent() const;
    double cpuPercent() const;
    double memoryPercent() const;
    QString processMemoryText() const;
    QString version() const;
    QString qtVersion() const;
    QString demoNotice() const;
    QString demoFix() const;

    // The demo notice and how to leave the demo, for the log, the Status
    // page and the window title; one wording everywhere.
    static QString demoNoticeText();
    static QString demoFixText();

Q_SIGNALS:
    void changed();
    void sampled();

private:
    health::HealthMonitor *m_health;
    rpc::ConnectionStats *m_connections;
    mediamtx::MediaMtxSupervisor *m_mediamtx;
    cameras::CameraRegistry *m_cameras;
    media::StorageService *m_storage;
    health::SystemStats *m_systemStats;  // may be null
    QString m_apiUrl;
    bool m_demoNotice = false;
    QTimer m_sample;
};

} // namespace station::app
