#include "media/LiveReader.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QThread>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <chrono>
#include <vector>

Q_LOGGING_CATEGORY(lcLiveReader, "station.media.reader")

namespace station::media {

namespace {

qint64 monotonicMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct PacketDeleter {
    void operator()(AVPacket *p) const { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

struct InterruptState {
    const std::atomic<bool> *stop;
    qint64 deadlineMs;  // abort blocking I/O after this monotonic time
};

int interruptCallback(void *opaque)
{
    auto *s = static_cast<InterruptState *>(opaque);
    return (s->stop->load() || monotonicMs() > s->deadlineMs) ? 1 : 0;
}

constexpr size_t kMaxGopPackets = 1200;

} // namespace

// Packets from the last keyframe on, with the stream's codec parameters.
struct LiveReader::Gop {
    AVCodecParameters *params = nullptr;
    std::vector<std::shared_ptr<AVPacket>> packets;
    ~Gop() { avcodec_parameters_free(&params); }
};

// The decoder of one connection, opened when decoding is switched on.
struct LiveReader::Decoder {
    AVCodecContext *ctx = nullptr;
    AVFrame *frame = nullptr;
    SwsContext *sws = nullptr;
    quint64 sequence = 0;
    ~Decoder() { close(); }
    void close()
    {
        avcodec_free_context(&ctx);
        av_frame_free(&frame);
        sws_freeContext(sws);
        sws = nullptr;
    }
    bool open(const AVCodecParameters *params)
    {
        close();
        const AVCodec *codec = avcodec_find_decoder(params->codec_id);
        ctx = codec ? avcodec_alloc_context3(codec) : nullptr;
        if (!ctx || avcodec_parameters_to_context(ctx, params) < 0)
            return false;
        // Never hand out a picture the decoder knows is damaged (references
        // missing before the first keyframe, lost slices).
        ctx->flags &= ~AV_CODEC_FLAG_OUTPUT_CORRUPT;
        ctx->thread_count = 1;  // one thread per camera; frame threads would add latency
        if (avcodec_open2(ctx, codec, nullptr) < 0) {
            avcodec_free_context(&ctx);
            return false;
        }
        frame = av_frame_alloc();
        return frame != nullptr;
    }
};

qint64 LiveReader::nowMs()
{
    return monotonicMs();
}

void LiveReader::setDecoding(bool on)
{
    m_decode = on;
}

std::shared_ptr<const DecodedFrame> LiveReader::latestDecoded() const
{
    QMutexLocker lock(&m_mutex);
    return m_latest;
}

// Decodes one packet of the live stream. The first packet after decoding was
// switched on (or after a reconnect) primes the decoder with the whole current
// group of pictures, which starts at a keyframe, so the first picture shown is
// the newest one and never one decoded without its references.
void LiveReader::decodePacket(Decoder &decoder, const std::shared_ptr<Gop> &gop, const std::shared_ptr<AVPacket> &packet)
{
    std::vector<std::shared_ptr<AVPacket>> toSend;
    if (!decoder.ctx) {
        QMutexLocker lock(&m_mutex);
        if (m_gop != gop || gop->packets.empty() || gop->packets.back() != packet)
            return;  // not part of a group that starts at a keyframe: wait for one
        toSend = gop->packets;
        lock.unlock();
        if (!decoder.open(gop->params)) {
            qCWarning(lcLiveReader) << "no decoder for the stream of" << m_url.section(QLatin1Char('?'), 0, 0);
            m_decode = false;
            return;
        }
    } else {
        toSend.push_back(packet);
    }
    for (const std::shared_ptr<AVPacket> &p : toSend) {
        if (avcodec_send_packet(decoder.ctx, p.get()) < 0 && p != packet)
            continue;
        while (avcodec_receive_frame(decoder.ctx, decoder.frame) == 0) {
            const bool damaged = decoder.frame->decode_error_flags != 0 || (decoder.frame->flags & AV_FRAME_FLAG_CORRUPT);
            // While priming, only the newest picture of the group is published.
            if (!damaged && p == packet)
                publish(decoder.frame, decoder);
            av_frame_unref(decoder.frame);
        }
    }
}

void LiveReader::publish(const AVFrame *frame, Decoder &decoder)
{
    if (frame->width <= 0 || frame->height <= 0)
        return;
    auto out = std::make_shared<DecodedFrame>();
    out->width = frame->width;
    out->height = frame->height;
    const int cw = out->chromaWidth();
    const int ch = out->chromaHeight();
    out->y.resize(qsizetype(out->width) * out->height);
    out->u.resize(qsizetype(cw) * ch);
    out->v.resize(qsizetype(cw) * ch);
    uint8_t *dst[4] = {reinterpret_cast<uint8_t *>(out->y.data()), reinterpret_cast<uint8_t *>(out->u.data()),
                       reinterpret_cast<uint8_t *>(out->v.data()), nullptr};
    int dstStride[4] = {out->width, cw, cw, 0};
    const auto format = AVPixelFormat(frame->format);
    if (format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P) {
        out->fullRange = format == AV_PIX_FMT_YUVJ420P || frame->color_range == AVCOL_RANGE_JPEG;
        av_image_copy(dst, dstStride, const_cast<const uint8_t **>(frame->data), frame->linesize, AV_PIX_FMT_YUV420P,
                      frame->width, frame->height);
    } else {
        decoder.sws = sws_getCachedContext(decoder.sws, frame->width, frame->height, format, frame->width, frame->height,
                                           AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
        if (!decoder.sws)
            return;
        sws_scale(decoder.sws, frame->data, frame->linesize, 0, frame->height, dst, dstStride);
    }
    out->decodedAtMs = monotonicMs();
    out->sequence = ++decoder.sequence;
    {
        QMutexLocker lock(&m_mutex);
        m_latest = std::move(out);
    }
    m_framesDecoded.fetch_add(1);
    if (!m_frameSignalPending.exchange(true)) {
        QMetaObject::invokeMethod(this, [this] {
            m_frameSignalPending = false;
            Q_EMIT frameDecoded();
        }, Qt::QueuedConnection);
    }
}

LiveReader::LiveReader(QString url, QObject *parent) : QObject(parent), m_url(std::move(url)) {}

LiveReader::~LiveReader()
{
    stop();
}

void LiveReader::start()
{
    if (m_thread.joinable())
        return;
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void LiveReader::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_sleepMutex);
        m_stop = true;
    }
    m_sleep.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    QMutexLocker lock(&m_mutex);
    m_gop.reset();
}

void LiveReader::retrySoon()
{
    {
        std::lock_guard<std::mutex> lock(m_sleepMutex);
        m_retrySoon = true;
    }
    m_sleep.notify_all();
}

bool LiveReader::hasPicture() const
{
    QMutexLocker lock(&m_mutex);
    return m_gop && !m_gop->packets.empty();
}

qint64 LiveReader::msSinceLastPacket() const
{
    const qint64 last = m_lastPacketMs.load();
    return last < 0 ? -1 : monotonicMs() - last;
}

void LiveReader::run()
{
    // Retries: every 100 ms for the first 2 s (MediaMTX starting, a path being
    // added: a view should not wait for a long back-off), then doubling up to 1 s.
    int failures = 0;
    while (!m_stop) {
        AVFormatContext *fmt = avformat_alloc_context();
        InterruptState interrupt{&m_stop, monotonicMs() + 25000};  // > socket timeout below
        fmt->interrupt_callback.callback = interruptCallback;
        fmt->interrupt_callback.opaque = &interrupt;
        AVDictionary *opts = nullptr;
        av_dict_set(&opts, "rtsp_transport", "tcp", 0);
        // Socket I/O timeout (µs). MediaMTX holds DESCRIBE while an on-demand
        // publisher or source starts, up to runOnDemandStartTimeout /
        // sourceOnDemandStartTimeout (15 s in mediamtx/MediaMtxConfig): outlast it.
        av_dict_set(&opts, "timeout", "20000000", 0);
        // Codec parameters come from the SDP and the first keyframe; the frame
        // rate is not needed, so do not read 20 frames to estimate it.
        av_dict_set(&opts, "fpsprobesize", "0", 0);
        const QByteArray url = m_url.toUtf8();
        const qint64 connectStart = monotonicMs();
        int rc = avformat_open_input(&fmt, url.constData(), nullptr, &opts);
        av_dict_free(&opts);
        int videoIndex = -1;
        const qint64 opened = monotonicMs();
        if (rc >= 0) {
            fmt->max_analyze_duration = 2 * AV_TIME_BASE;
            interrupt.deadlineMs = monotonicMs() + 10000;
            rc = avformat_find_stream_info(fmt, nullptr);
            if (rc >= 0)
                videoIndex = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
            qCDebug(lcLiveReader) << m_url.section(QLatin1Char('?'), 0, 0) << "opened in" << opened - connectStart << "ms, stream info in" << monotonicMs() - opened << "ms";
        }
        if (rc < 0 || videoIndex < 0) {
            avformat_close_input(&fmt);
            if (m_stop)
                break;
            ++failures;
            const int waitMs = failures <= 20 ? 100 : std::min(100 << std::min(failures - 20, 4), 1000);
            std::unique_lock<std::mutex> lock(m_sleepMutex);
            m_sleep.wait_for(lock, std::chrono::milliseconds(waitMs), [this] { return m_stop.load() || m_retrySoon.load(); });
            if (m_retrySoon.exchange(false))
                failures = 0;
            continue;
        }
        failures = 0;
        m_retrySoon = false;
        auto gop = std::make_shared<Gop>();
        gop->params = avcodec_parameters_alloc();
        avcodec_parameters_copy(gop->params, fmt->streams[videoIndex]->codecpar);
        bool announced = false;
        Decoder decoder;
        PacketPtr pkt(av_packet_alloc());
        while (!m_stop) {
            interrupt.deadlineMs = monotonicMs() + 10000;  // a silent stream counts as lost
            if (av_read_frame(fmt, pkt.get()) < 0)
                break;
            if (pkt->stream_index == videoIndex) {
                m_packets.fetch_add(1);
                m_lastPacketMs = monotonicMs();
                const bool key = pkt->flags & AV_PKT_FLAG_KEY;
                std::shared_ptr<AVPacket> copy(av_packet_clone(pkt.get()), [](AVPacket *p) { av_packet_free(&p); });
                QMutexLocker lock(&m_mutex);
                if (key) {
                    // A new GOP: readers of the old one keep their shared copy.
                    auto fresh = std::make_shared<Gop>();
                    fresh->params = avcodec_parameters_alloc();
                    avcodec_parameters_copy(fresh->params, gop->params);
                    gop = fresh;
                    m_gop = gop;
                }
                if (m_gop == gop && gop->packets.size() < kMaxGopPackets && !(gop->packets.empty() && !key))
                    gop->packets.push_back(copy);
                const bool first = key && !announced;
                lock.unlock();
                if (first) {
                    announced = true;
                    QMetaObject::invokeMethod(this, &LiveReader::pictureAvailable, Qt::QueuedConnection);
                }
                if (m_decode)
                    decodePacket(decoder, gop, copy);
                else if (decoder.ctx)
                    decoder.close();  // switched off: switching on again primes from the group
            }
            av_packet_unref(pkt.get());
        }
        avformat_close_input(&fmt);
        {
            QMutexLocker lock(&m_mutex);
            m_gop.reset();
        }
        if (!m_stop)
            qCInfo(lcLiveReader) << "stream ended; reconnecting to" << m_url.section(QLatin1Char('?'), 0, 0);  // never the read token
    }
}

QImage LiveReader::latestFrame(QString *error) const
{
    // While the UI shows the camera, the newest picture is already decoded.
    if (const std::shared_ptr<const DecodedFrame> f = latestDecoded(); f && monotonicMs() - f->decodedAtMs < 500) {
        QImage image(f->width, f->height, QImage::Format_RGB888);
        SwsContext *sws = sws_getContext(f->width, f->height, f->fullRange ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P,
                                         f->width, f->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
        if (sws) {
            const uint8_t *src[4] = {reinterpret_cast<const uint8_t *>(f->y.constData()), reinterpret_cast<const uint8_t *>(f->u.constData()),
                                     reinterpret_cast<const uint8_t *>(f->v.constData()), nullptr};
            const int srcStride[4] = {f->width, f->chromaWidth(), f->chromaWidth(), 0};
            uint8_t *dst[4] = {image.bits(), nullptr, nullptr, nullptr};
            int dstStride[4] = {int(image.bytesPerLine()), 0, 0, 0};
            sws_scale(sws, src, srcStride, 0, f->height, dst, dstStride);
            sws_freeContext(sws);
            return image;
        }
    }
    // Copy the packet list under the lock: the reader thread keeps appending.
    std::shared_ptr<Gop> gop;
    std::vector<std::shared_ptr<AVPacket>> packets;
    {
        QMutexLocker lock(&m_mutex);
        gop = m_gop;
        if (gop)
            packets = gop->packets;
    }
    if (!gop || packets.empty()) {
        *error = QStringLiteral("no picture received yet");
        return {};
    }
    const AVCodec *codec = avcodec_find_decoder(gop->params->codec_id);
    AVCodecContext *ctx = codec ? avcodec_alloc_context3(codec) : nullptr;
    if (!ctx || avcodec_parameters_to_context(ctx, gop->params) < 0 || avcodec_open2(ctx, codec, nullptr) < 0) {
        avcodec_free_context(&ctx);
        *error = QStringLiteral("no decoder for the stream's codec");
        return {};
    }
    AVFrame *frame = av_frame_alloc();
    AVFrame *last = av_frame_alloc();
    bool have = false;
    auto drain = [&] {
        while (avcodec_receive_frame(ctx, frame) == 0) {
            av_frame_unref(last);
            av_frame_move_ref(last, frame);
            have = true;
            m_framesDecoded.fetch_add(1);  // snapshot decodes count as the station's decoding too
        }
    };
    for (const std::shared_ptr<AVPacket> &p : packets) {
        if (avcodec_send_packet(ctx, p.get()) == 0)
            drain();
    }
    avcodec_send_packet(ctx, nullptr);
    drain();
    QImage image;
    if (have && last->width > 0 && last->height > 0) {
        SwsContext *sws = sws_getContext(last->width, last->height, AVPixelFormat(last->format), last->width, last->height,
                                         AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
        if (sws) {
            image = QImage(last->width, last->height, QImage::Format_RGB888);
            uint8_t *dst[4] = {image.bits(), nullptr, nullptr, nullptr};
            int dstStride[4] = {int(image.bytesPerLine()), 0, 0, 0};
            sws_scale(sws, last->data, last->linesize, 0, last->height, dst, dstStride);
            sws_freeContext(sws);
        }
    }
    if (image.isNull())
        *error = QStringLiteral("the stream's picture could not be decoded");
    av_frame_free(&frame);
    av_frame_free(&last);
    avcodec_free_context(&ctx);
    return image;
}

} // namespace station::media
