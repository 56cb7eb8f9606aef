#include "cameras/V4l2DeviceInfo.h"

#include <algorithm>
#include <cmath>

namespace station::cameras {

namespace {

bool largerFirst(const QSize &a, const QSize &b)
{
    const qint64 areaA = qint64(a.width()) * a.height();
    const qint64 areaB = qint64(b.width()) * b.height();
    return areaA != areaB ? areaA > areaB : a.width() > b.width();
}

} // namespace

QStringList V4l2DeviceInfo::formatNames() const
{
    QStringList names;
    for (const V4l2Format &f : formats) {
        if (!names.contains(f.fourcc))
            names << f.fourcc;
    }
    return names;
}

QStringList V4l2DeviceInfo::resolutions() const
{
    QList<QSize> sizes;
    for (const V4l2Format &f : formats) {
        for (const V4l2FrameSize &s : f.sizes) {
            const QSize size(s.width, s.height);
            if (size.width() > 0 && size.height() > 0 && !sizes.contains(size))
                sizes << size;
        }
    }
    std::sort(sizes.begin(), sizes.end(), largerFirst);
    QStringList out;
    for (const QSize &s : sizes)
        out << QStringLiteral("%1x%2").arg(s.width()).arg(s.height());
    return out;
}

QList<int> V4l2DeviceInfo::fpsOptions() const
{
    QList<int> out;
    for (const V4l2Format &f : formats) {
        for (const V4l2FrameSize &s : f.sizes) {
            for (double fps : s.fps) {
                const int rounded = int(std::lround(fps));
                if (rounded > 0 && !out.contains(rounded))
                    out << rounded;
            }
        }
    }
    std::sort(out.begin(), out.end(), std::greater<int>());
    return out;
}

V4l2CaptureChoice V4l2DeviceInfo::chooseCapture(QSize wantedSize, int wantedFps) const
{
    V4l2CaptureChoice choice;
    const V4l2Format *format = nullptr;
    for (const char *preferred : {"MJPG", "H264", "YUYV"}) {
        for (const V4l2Format &f : formats) {
            if (!format && f.fourcc == QLatin1String(preferred))
                format = &f;
        }
    }
    if (!format && !formats.isEmpty())
        format = &formats.first();
    if (format)
        choice.format = format->fourcc;

    // Size: the override, else the largest that fits 1080p, else the smallest.
    const V4l2FrameSize *size = nullptr;
    if (format) {
        QList<const V4l2FrameSize *> sizes;
        for (const V4l2FrameSize &s : format->sizes)
            sizes << &s;
        std::sort(sizes.begin(), sizes.end(), [](const V4l2FrameSize *a, const V4l2FrameSize *b) {
            return largerFirst(QSize(a->width, a->height), QSize(b->width, b->height));
        });
        for (const V4l2FrameSize *s : sizes) {
            if (wantedSize.isValid() && !wantedSize.isEmpty()) {
                if (s->width == wantedSize.width() && s->height == wantedSize.height())
                    size = s;
            } else if (!size && s->width <= 1920 && s->height <= 1080) {
                size = s;
            }
        }
        if (!size && !(wantedSize.isValid() && !wantedSize.isEmpty()) && !sizes.isEmpty())
            size = sizes.last();
    }
    if (wantedSize.isValid() && !wantedSize.isEmpty())
        choice.size = wantedSize;
    else if (size)
        choice.size = QSize(size->width, size->height);

    // Rate: the override, else the highest up to 30, else the lowest offered.
    if (wantedFps > 0) {
        choice.fps = wantedFps;
    } else if (size) {
        QList<double> rates = size->fps;
        std::sort(rates.begin(), rates.end(), std::greater<double>());
        for (double r : rates) {
            if (choice.fps == 0 && std::lround(r) <= 30 && std::lround(r) > 0)
                choice.fps = int(std::lround(r));
        }
        if (choice.fps == 0 && !rates.isEmpty())
            choice.fps = int(std::lround(rates.last()));
    }
    return choice;
}

} // namespace station::cameras
