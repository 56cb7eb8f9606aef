#pragma once

#include "cameras/DeviceProber.h"

namespace station::cameras {

// Probes real V4L2 nodes with ioctls. Opens the node non-blocking, asks, and
// closes it again at once: the publisher must be able to open it afterwards.
class V4l2Prober : public DeviceProber
{
public:
    std::optional<V4l2DeviceInfo> probe(const QString &devicePath) override;
    bool lastFailureTransient() const override;
    int lastErrno() const { return m_lastErrno; }

    // Identity key of a node (API.md §2.8): the <deviceDir>/v4l/by-id name
    // pointing at it, else "usb:VID:PID:SERIAL" from sysfs, else the
    // <deviceDir>/v4l/by-path name, else "bus:" + busInfo, else "node:" + name.
    // sysfsRoot "" skips sysfs (a fake device_dir has no sysfs behind it).
    static QString identityFor(const QString &devicePath, const QString &deviceDir, const QString &busInfo,
                               const QString &sysfsRoot = QStringLiteral("/sys"));

    // Name of the first (sorted) symlink in folder whose target is devicePath.
    static QString symlinkNameFor(const QString &folder, const QString &devicePath);

    // Flag names as v4l2-ctl prints them ("Video Capture", "Streaming", ...).
    static QStringList capabilityNames(quint32 caps);
    static QString fourccText(quint32 fourcc);

private:
    int m_lastErrno = 0;
};

} // namespace station::cameras
