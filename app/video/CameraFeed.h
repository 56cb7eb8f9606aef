#pragma once

#include "media/DecodedFrame.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QVideoFrame>

#include <memory>

class QVideoSink;

#include "media/LiveReader.h"

namespace station::app {

// One camera's live picture for the UI: the station's reader decodes the
// stream once (media::LiveReader), and the feed hands every picture to all the
// video outputs that show the camera (wall tile, camera view). The newest
// picture is kept, so an output that appears shows it at once.
//
// Decoding runs while at least one output is attached, and for a while after
// the last one leaves, so going back and forth between pages stays instant;
// an idle feed only keeps the stream connected.
class CameraFeed : public QObject
{
    Q_OBJECT
public:
    explicit CameraFeed(QString cameraId, QObject *parent = nullptr);
    ~CameraFeed() override;

    QString cameraId() const { return m_cameraId; }

    // The reader the pictures come from (nullptr: the camera is not connected).
    void setReader(media::LiveReader *reader);
    media::LiveReader *reader() const { return m_reader; }

    void attach(QVideoSink *sink);
    void detach(QVideoSink *sink);
    int viewers() const { return int(m_sinks.size()); }

    // Hands one decoded picture to every attached output (the reader's path; tests call it directly).
    void push(const std::shared_ptr<const media::DecodedFrame> &frame);

    // True while pictures arrive: a picture decoded within kLiveMs, or, while
    // nothing is decoding, stream packets received within kLiveMs.
    bool isLive(qint64 nowMs) const;
    qint64 lastFrameMs() const { return m_lastFrameMs; }     // steady clock; 0: none yet
    QDateTime lastFrameTime() const { return m_lastFrameTime; }
    quint64 frames() const { return m_frames; }
    bool decoding() const { return m_decoding; }

    static constexpr qint64 kLiveMs = 1000;
    static constexpr int kLingerMs = 10000;

Q_SIGNALS:
    void frameArrived();

private:
    void onFrameDecoded();
    void updateDecoding();

    QString m_cameraId;
    QPointer<media::LiveReader> m_reader;
    QMetaObject::Connection m_connection;
    QList<QPointer<QVideoSink>> m_sinks;
    QVideoFrame m_frame;
    qint64 m_lastFrameMs = 0;
    QDateTime m_lastFrameTime;
    quint64 m_frames = 0;
    bool m_decoding = false;
    qint64 m_decodingSinceMs = 0;
    QTimer m_linger;
};

} // namespace station::app
