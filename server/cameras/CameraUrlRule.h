#pragma once

#include <QString>

namespace station::cameras {

// What MediaMTX v1.20.1 says about a `source` value at load time, and what
// the station does about a camera URL. One rule for every caller: the API
// (add_external_stream), the settings page, the camera registry (persisted
// and configured cameras) and the config writer (mediamtx.yml, paths API).
struct UrlVerdict {
    bool ok = false;
    QString url;     // ok: the form to store and write (trimmed, lower-case scheme)
    QString reason;  // !ok: what is wrong (MediaMTX's own words where it has them)
    QString hint;    // !ok: what to change, for a person
};

class CameraUrlRule
{
public:
    // MediaMTX's own load-time check of a path's `source`, exactly as
    // written (no normalising): internal/conf/path.go (*Path).validate for
    // the URL-based sources and validateURL, on Go 1.26's net/url.Parse
    // (MediaMTX v1.20.1's go.mod says `go 1.26.0`). `publisher` is accepted.
    static UrlVerdict checkSource(const QString &source);

    // The station's camera URL rule: trims and lower-cases the scheme (what
    // MediaMTX would accept after that is accepted and normalised), then
    // requires rtsp:// or rtsps:// (the only sources the station pulls), then
    // checkSource, then a host the station can key the camera by.
    static UrlVerdict check(const QString &input);
};

} // namespace station::cameras
