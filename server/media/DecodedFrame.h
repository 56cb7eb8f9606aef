#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace station::media {

// One decoded picture as planar 8-bit YUV 4:2:0, tightly packed (Y is
// width x height, U and V are ceil(width/2) x ceil(height/2)). Immutable once
// published, shared by every consumer (the UI's video outputs, snapshots).
struct DecodedFrame {
    int width = 0;
    int height = 0;
    bool fullRange = false;       // JPEG range (yuvj420p) rather than video range
    QByteArray y, u, v;
    qint64 decodedAtMs = 0;       // steady clock, milliseconds
    quint64 sequence = 0;         // counts frames of one reader

    int chromaWidth() const { return (width + 1) / 2; }
    int chromaHeight() const { return (height + 1) / 2; }
};

} // namespace station::media
