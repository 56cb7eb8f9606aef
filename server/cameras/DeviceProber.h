#pragma once

#include "cameras/V4l2DeviceInfo.h"

#include <QString>

#include <optional>

namespace station::cameras {

// Asks a video node what it is. The registry only talks to this interface so
// tests can describe fake nodes without hardware.
class DeviceProber
{
public:
    virtual ~DeviceProber() = default;

    // The node's description if it is a video-capture node; nullopt otherwise
    // (not a V4L2 node, metadata-only node, unreadable).
    virtual std::optional<V4l2DeviceInfo> probe(const QString &devicePath) = 0;

    // Whether the last failed probe may succeed shortly (udev creates the node
    // before it sets permissions; another opener may hold it for a moment).
    virtual bool lastFailureTransient() const { return false; }
};

} // namespace station::cameras
