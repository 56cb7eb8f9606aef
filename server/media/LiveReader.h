#pragma once

#include <QDateTime>
#include <QImage>
#include <QMutex>
#include <QObject>
#include <QSize>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

namespace station::media {

// The station's own reader of a camera's RTSP stream (libavformat, TCP).
// While it runs, MediaMTX counts a reader, so an on-demand publisher stays
// up for recordings and streaming sessions. It only demuxes; the packets of
// the current group of pictures are kept so latestFrame() can decode the
// newest picture on demand (a warm snapshot costs one GOP's decode, and an
// idle reader costs almost no CPU). Reconnects by itself.
class LiveReader : public QObject
{
    Q_OBJECT
public:
    explicit LiveReader(QString url, QObject *parent = nullptr);
    ~LiveReader() override;

    void start();
    void stop();

    QString url() const { return m_url; }
    bool hasPicture() const;            // a keyframe has arrived since the last (re)connect
    qint64 packetsReceived() const { return m_packets.load(); }
    qint64 msSinceLastPacket() const;   // -1 before the first packet

    // Decodes the newest frame. Thread-safe and blocking: call it from a worker thread.
    QImage latestFrame(QString *error) const;

Q_SIGNALS:
    void pictureAvailable();  // first keyframe after a (re)connect (queued to the object's thread)

private:
    struct Gop;
    void run();

    QString m_url;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<qint64> m_packets{0};
    std::atomic<qint64> m_lastPacketMs{-1};
    mutable QMutex m_mutex;
    std::shared_ptr<Gop> m_gop;  // guarded by m_mutex
};

} // namespace station::media
