#include "cameras/StreamUrl.h"

#include "cameras/CameraUrlRule.h"

#include <QUrl>

namespace station::cameras {

bool StreamUrl::isValid(const QString &url)
{
    return CameraUrlRule::check(url).ok;
}

// The identity needs only a parseable rtsp(s) URL with a host: a persisted
// camera that breaks CameraUrlRule keeps its ID (and is shown in ERROR).
static bool parseable(const QString &url)
{
    const QUrl u(url.trimmed(), QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    return u.isValid() && (scheme == QLatin1String("rtsp") || scheme == QLatin1String("rtsps")) && !u.host().isEmpty();
}

QString StreamUrl::normalise(const QString &url)
{
    if (!parseable(url))
        return {};
    QUrl u(url.trimmed(), QUrl::StrictMode);
    const QString scheme = u.scheme().toLower();
    u.setScheme(scheme);
    u.setHost(u.host().toLower());
    if (u.port() < 0)
        u.setPort(scheme == QLatin1String("rtsps") ? 322 : 554);
    u.setUserInfo(QString());
    u.setFragment(QString());
    return u.toString(QUrl::FullyEncoded);
}

QString StreamUrl::redact(const QString &url)
{
    QUrl u(url.trimmed());
    if (!u.isValid() || u.password().isEmpty())
        return url;
    u.setPassword(QStringLiteral("***"));
    return u.toString(QUrl::FullyEncoded).replace(QLatin1String("%2A%2A%2A"), QLatin1String("***"));
}

} // namespace station::cameras
