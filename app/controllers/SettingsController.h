#pragma once

#include "core/Services.h"
#include "models/ApiKeyListModel.h"

#include <QObject>
#include <QVariantMap>

namespace station::app {

class AdminGate;


// Admin settings: network cameras, the retention policy and API keys. Every
// verb validates its input and returns "" or a sentence saying what to fix;
// none runs while the admin gate is locked.
class SettingsController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QVariantMap retention READ retention NOTIFY retentionChanged)
    Q_PROPERTY(QObject *apiKeys READ apiKeys CONSTANT)
public:
    SettingsController(const core::Services &services, AdminGate *gate, QObject *parent = nullptr);

    QVariantMap retention() const;  // type, enabled, maxAgeDays, maxSizeGb
    QObject *apiKeys() const { return m_keys; }

    Q_INVOKABLE QString validateCameraUrl(const QString &url) const;
    Q_INVOKABLE QString validateCameraName(const QString &name) const;
    Q_INVOKABLE QString addCamera(const QString &url, const QString &name);
    Q_INVOKABLE QString renameCamera(const QString &cameraId, const QString &name);
    Q_INVOKABLE QString removeCamera(const QString &cameraId);
    Q_INVOKABLE QString cameraUrlForDisplay(const QString &cameraId) const;  // credentials masked

    // type: age | size | manual; the limit that matches the type is used.
    Q_INVOKABLE QString setRetention(const QString &type, bool enabled, const QString &maxAgeDays, const QString &maxSizeGb);

    // Returns {key, error}: key is shown once.
    Q_INVOKABLE QVariantMap createApiKey(const QString &name, const QString &role, const QString &ttlDays);
    Q_INVOKABLE QString revokeApiKey(const QString &keyId);

Q_SIGNALS:
    void retentionChanged();

private:
    QString denied() const;
    QString networkUrl(const QString &cameraId) const;

    core::Services m_s;
    AdminGate *m_gate;
    ApiKeyListModel *m_keys;
};

} // namespace station::app
