#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

class QVideoSink;

namespace station::app {

// Counts the frames a VideoOutput's sink receives, in C++. A QML handler on
// QVideoSink::videoFrameChanged gets every frame wrapped as a JavaScript
// value, and those wrappers (each holding a whole decoded picture) wait for
// the JS garbage collector, which does not see their size: memory grew by
// the frame rate times the picture size. Here QML only hears a coalesced
// "frames arrived" at most four times a second, with no frame attached.
class FrameMonitor : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QObject *videoSink READ videoSink WRITE setVideoSink NOTIFY videoSinkChanged)
    Q_PROPERTY(int frames READ frames NOTIFY framesArrived)
public:
    using QObject::QObject;

    QObject *videoSink() const;
    void setVideoSink(QObject *sink);
    int frames() const { return m_frames; }

Q_SIGNALS:
    void videoSinkChanged();
    void framesArrived();  // the first frame at once, then at most every 250 ms

private:
    void onFrame();
    QPointer<QVideoSink> m_sink;
    QMetaObject::Connection m_connection;
    int m_frames = 0;
    QElapsedTimer m_lastSignal;
    bool m_pending = false;
};

} // namespace station::app
