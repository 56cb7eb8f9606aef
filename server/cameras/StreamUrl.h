#pragma once

#include <QString>

namespace station::cameras {

// Network camera URLs: the identity form (no credentials) and the form safe
// to show (password as ***).
class StreamUrl
{
public:
    // CameraUrlRule::check(url).ok: an address the station may write for MediaMTX.
    static bool isValid(const QString &url);

    // Identity key: lower-case scheme and host, default port made explicit
    // (554 for rtsp, 322 for rtsps), credentials and fragment dropped, path
    // and query kept. "" when it is not an rtsp(s) URL with a host (it may
    // still break CameraUrlRule: a persisted camera keeps its identity).
    static QString normalise(const QString &url);

    // The URL with its password replaced by *** (user name kept).
    static QString redact(const QString &url);
};

} // namespace station::cameras
