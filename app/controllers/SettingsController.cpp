#include "controllers/SettingsController.h"

#include "auth/ApiKeyStore.h"
#include "cameras/CameraRegistry.h"
#include "cameras/CameraUrlRule.h"
#include "cameras/StreamUrl.h"
#include "controllers/AdminGate.h"
#include "models/ApiKeyListModel.h"
#include "media/StorageService.h"

#include <QUrl>

namespace station::app {

SettingsController::SettingsController(const core::Services &services, AdminGate *gate, QObject *parent)
    : QObject(parent), m_s(services), m_gate(gate), m_keys(new ApiKeyListModel(services.apiKeys, this))
{
    if (m_s.storage)
        connect(m_s.storage, &media::StorageService::policyChanged, this, &SettingsController::retentionChanged);
}

QString SettingsController::denied() const
{
    return m_gate && !m_gate->unlocked() ? tr("This needs the admin PIN.") : QString();
}

QString SettingsController::validateCameraUrl(const QString &url) const
{
    // The same rule as the API and mediamtx.yml (cameras/CameraUrlRule:
    // MediaMTX v1.20.1's internal/conf/path.go validate/validateURL).
    const cameras::UrlVerdict v = cameras::CameraUrlRule::check(url);
    return v.ok ? QString() : v.hint;
}

QString SettingsController::validateCameraName(const QString &name) const
{
    const QString n = name.trimmed();
    if (n.isEmpty())
        return tr("Give the camera a name, e.g. Front door.");
    if (n.size() > 64)
        return tr("Keep the name to 64 characters or fewer.");
    return {};
}

QString SettingsController::addCamera(const QString &url, const QString &name)
{
    if (const QString d = denied(); !d.isEmpty())
        return d;
    if (const QString e = validateCameraUrl(url); !e.isEmpty())
        return e;
    if (const QString e = validateCameraName(name); !e.isEmpty())
        return e;
    QString error;
    if (!m_s.cameras->addNetworkCamera(url.trimmed(), name.trimmed(), QStringLiteral("generic_rtsp"), &error))
        return error == QLatin1String("MAX_CAMERAS_REACHED") ? tr("The station already manages its maximum number of cameras (cameras.max).")
                                                             : tr("This stream address is not valid.");
    return {};
}

QString SettingsController::networkUrl(const QString &cameraId) const
{
    for (const cameras::NetworkCamera &n : m_s.cameras->networkCameras())
        if (n.id == cameraId)
            return n.url;
    return {};
}

QString SettingsController::cameraUrlForDisplay(const QString &cameraId) const
{
    QUrl u(networkUrl(cameraId));
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("****"));
    return u.toString();
}

QString SettingsController::renameCamera(const QString &cameraId, const QString &name)
{
    if (const QString d = denied(); !d.isEmpty())
        return d;
    if (const QString e = validateCameraName(name); !e.isEmpty())
        return e;
    const QString url = networkUrl(cameraId);
    if (url.isEmpty())
        return tr("Only network cameras added here can be renamed here; name USB and configured cameras in the configuration file.");
    // Adding a known URL again updates its name (the registry's contract).
    if (!m_s.cameras->addNetworkCamera(url, name.trimmed()))
        return tr("The camera could not be renamed.");
    return {};
}

QString SettingsController::removeCamera(const QString &cameraId)
{
    if (const QString d = denied(); !d.isEmpty())
        return d;
    const QString url = networkUrl(cameraId);
    if (url.isEmpty())
        return tr("Only network cameras added here can be removed here.");
    if (!m_s.cameras->removeNetworkCamera(url))
        return tr("The camera was already removed.");
    return {};
}

QVariantMap SettingsController::retention() const
{
    const media::RetentionPolicy p = m_s.storage->policy();
    return {{QStringLiteral("type"), p.type},
            {QStringLiteral("enabled"), p.enabled},
            {QStringLiteral("maxAgeDays"), p.maxAgeDays ? QString::number(*p.maxAgeDays) : QString()},
            {QStringLiteral("maxSizeGb"), p.maxSizeGb ? QString::number(*p.maxSizeGb) : QString()}};
}

QString SettingsController::setRetention(const QString &type, bool enabled, const QString &maxAgeDays, const QString &maxSizeGb)
{
    if (const QString d = denied(); !d.isEmpty())
        return d;
    media::RetentionPolicy p;
    p.type = type;
    p.enabled = enabled;
    if (type == QLatin1String("age")) {
        bool ok = false;
        const qint64 days = maxAgeDays.trimmed().toLongLong(&ok);
        if (!ok || days < 1 || days > 3650)
            return tr("Keep files for 1 to 3650 days.");
        p.maxAgeDays = days;
    } else if (type == QLatin1String("size")) {
        bool ok = false;
        // Accept both decimal separators: a touch keypad may only offer one.
        const double gbC = QString(maxSizeGb).trimmed().replace(QLatin1Char(','), QLatin1Char('.')).toDouble(&ok);
        if (!ok || gbC <= 0 || gbC > 1000000)
            return tr("Enter the size limit in GB, more than 0, e.g. 50.");
        p.maxSizeGb = gbC;
    } else if (type != QLatin1String("manual")) {
        return tr("Choose keep-by-age, keep-by-size or manual.");
    } else {
        p.enabled = false;
    }
    QString error;
    if (!m_s.storage->setPolicy(p, &error))
        return error.isEmpty() ? tr("The policy could not be saved.") : error;
    Q_EMIT retentionChanged();
    return {};
}

QVariantMap SettingsController::createApiKey(const QString &name, const QString &role, const QString &ttlDays)
{
    auto fail = [](const QString &e) { return QVariantMap{{QStringLiteral("key"), QString()}, {QStringLiteral("error"), e}}; };
    if (const QString d = denied(); !d.isEmpty())
        return fail(d);
    const QString n = name.trimmed();
    if (n.isEmpty() || n.size() > 64)
        return fail(tr("Name the key after who uses it (1 to 64 characters), e.g. Control room."));
    const auth::Role r = auth::roleFromName(role);
    if (r == auth::Role::None)
        return fail(tr("Choose a role: viewer, operator or admin."));
    qint64 ttl = 0;
    if (!ttlDays.trimmed().isEmpty()) {
        bool ok = false;
        const qint64 days = ttlDays.trimmed().toLongLong(&ok);
        if (!ok || days < 1 || days > 3650)
            return fail(tr("Validity must be 1 to 3650 days, or empty for no expiry."));
        ttl = days * 86400;
    }
    QString error;
    const QString key = m_s.apiKeys->create(r, n, ttl, nullptr, &error);
    if (key.isEmpty())
        return fail(error.isEmpty() ? tr("The key could not be saved.") : error);
    m_keys->reload();
    return {{QStringLiteral("key"), key}, {QStringLiteral("error"), QString()}};
}

QString SettingsController::revokeApiKey(const QString &keyId)
{
    if (const QString d = denied(); !d.isEmpty())
        return d;
    QString error;
    if (!m_s.apiKeys->revoke(keyId, &error))
        return error.isEmpty() ? tr("The key could not be revoked.") : error;
    m_keys->reload();
    return {};
}

} // namespace station::app
