#pragma once

#include "media/DecodedFrame.h"

#include <QDateTime>
#include <QImage>
#include <QMutex>
#include <QObject>
#include <QSize>
#include <QString>

#include <atomic>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>

struct AVFrame;
struct AVPacket;

namespace station::media {

// The station's own reader of a camera's RTSP stream (libavformat, TCP).
// While it runs, MediaMTX counts a reader, so an on-demand publisher stays
// up for recordings and streaming sessions. It only demuxes; the packets of
// the current group of pictures are kept so latestFrame() can decode the
// newest picture on demand (a warm snapshot costs one GOP's decode, and an
// idle reader costs almost no CPU). Reconnects by itself.
//
// While decoding is switched on (the UI shows the camera), it also decodes
// every picture on its own thread and publishes the newest one: the first
// after switching on comes from decoding the current group of pictures, so a
// view that appears gets a picture at once, and never one decoded from
// before a keyframe (corrupt pictures are dropped, not shown).
class LiveReader : public QObject
{
    Q_OBJECT
public:
    explicit LiveReader(QString url, QObject *parent = nullptr);
    ~LiveReader() override;

    void start();
    void stop();
    // MediaMTX has just become ready: the next connection attempt now, with the
    // short retry period again (the back-off was for a server that was not there).
    void retrySoon();

    QString url() const { return m_url; }
    bool hasPicture() const;            // a keyframe has arrived since the last (re)connect
    qint64 packetsReceived() const { return m_packets.load(); }
    qint64 msSinceLastPacket() const;   // -1 before the first packet

    // Decodes the newest frame. Thread-safe and blocking: call it from a worker thread.
    QImage latestFrame(QString *error) const;

    // Continuous decoding (thread-safe). Off by default.
    void setDecoding(bool on);
    bool decoding() const { return m_decode.load(); }
    std::shared_ptr<const DecodedFrame> latestDecoded() const;
    qint64 framesDecoded() const { return m_framesDecoded.load(); }

    // Milliseconds of the steady clock LiveReader uses for DecodedFrame::decodedAtMs.
    static qint64 nowMs();

Q_SIGNALS:
    void pictureAvailable();  // first keyframe after a (re)connect (queued to the object's thread)
    // A new decoded picture (queued to the object's thread, coalesced: when
    // the receiver is slow, it sees only the newest).
    void frameDecoded();

private:
    struct Gop;
    struct Decoder;
    void run();
    void decodePacket(Decoder &decoder, const std::shared_ptr<Gop> &gop, const std::shared_ptr<AVPacket> &packet);
    void publish(const AVFrame *frame, Decoder &decoder);

    QString m_url;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_retrySoon{false};
    std::mutex m_sleepMutex;
    std::condition_variable m_sleep;  // the retry wait; woken by stop() and retrySoon()
    std::atomic<qint64> m_packets{0};
    std::atomic<qint64> m_lastPacketMs{-1};
    mutable QMutex m_mutex;
    std::shared_ptr<Gop> m_gop;  // guarded by m_mutex
    std::atomic<bool> m_decode{false};
    std::atomic<bool> m_frameSignalPending{false};
    mutable std::atomic<qint64> m_framesDecoded{0};  // live decodes and latestFrame()'s
    std::shared_ptr<const DecodedFrame> m_latest;  // guarded by m_mutex
};

} // namespace station::media
