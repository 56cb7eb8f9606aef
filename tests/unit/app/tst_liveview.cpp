// The live view's state machine, driven by pictures pushed into a feed as the
// station's reader does: LIVE only while pictures arrive, stalled within
// 1.5 s of the last one, live again on the next; hidden views get nothing and
// get the newest picture at once when shown again; the picture handed to the
// video sink is the decoded one.

#include "media/DecodedFrame.h"
#include "media/LiveReader.h"
#include "video/CameraFeed.h"
#include "video/LiveView.h"

#include <QElapsedTimer>
#include <QImage>
#include <QSignalSpy>
#include <QTest>
#include <QVideoFrame>
#include <QVideoSink>

using namespace station;

namespace {

// A flat picture: Y, U and V each one value.
std::shared_ptr<const media::DecodedFrame> flatFrame(int w, int h, uchar y, uchar u, uchar v, quint64 seq)
{
    auto f = std::make_shared<media::DecodedFrame>();
    f->width = w;
    f->height = h;
    f->y = QByteArray(w * h, char(y));
    f->u = QByteArray(f->chromaWidth() * f->chromaHeight(), char(u));
    f->v = QByteArray(f->chromaWidth() * f->chromaHeight(), char(v));
    f->decodedAtMs = media::LiveReader::nowMs();
    f->sequence = seq;
    return f;
}

// A feed and one view of it, attached to a sink, the camera connected.
struct Rig {
    app::CameraFeed feed{QStringLiteral("camera0")};
    QVideoSink sink;
    app::LiveView view;
    Rig()
    {
        view.setFeed(&feed);
        view.setVideoSink(&sink);
        view.setCameraLive(true);
    }
};

} // namespace

class TestLiveView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connectingUntilTheFirstPictureThenLive()
    {
        app::CameraFeed feed(QStringLiteral("camera0"));
        QVideoSink sink;
        app::LiveView view;
        view.setFeed(&feed);
        view.setVideoSink(&sink);
        QCOMPARE(view.state(), QStringLiteral("offline"));
        view.setCameraLive(true);
        QCOMPARE(view.state(), QStringLiteral("connecting"));
        QCOMPARE(feed.viewers(), 1);
        feed.push(flatFrame(64, 36, 128, 128, 128, 1));
        QCOMPARE(view.state(), QStringLiteral("live"));
        QCOMPARE(view.frames(), 1);
        QCOMPARE(sink.videoFrame().size(), QSize(64, 36));
    }

    void stallWithinOneAndAHalfSecondsAndRecover()
    {
        Rig rig;
        app::CameraFeed &feed = rig.feed;
        app::LiveView &view = rig.view;
        QVideoSink &sink = rig.sink;
        // 25 pictures a second for half a second: live throughout.
        for (int i = 0; i < 12; ++i) {
            feed.push(flatFrame(32, 32, 100, 128, 128, quint64(i)));
            QTest::qWait(40);
            QCOMPARE(view.state(), QStringLiteral("live"));
        }
        // Pictures stop: stalled within 1.5 s of the last one, not before 1 s.
        QElapsedTimer since;
        since.start();
        QTRY_COMPARE_WITH_TIMEOUT(view.state(), QStringLiteral("stalled"), 1500);
        QVERIFY2(since.elapsed() >= 900, qPrintable(QString::number(since.elapsed())));
        QVERIFY(view.lastFrameTime().isValid());
        QTRY_VERIFY_WITH_TIMEOUT(view.stalledSeconds() >= 1, 2000);
        // The sink still holds the last picture (shown dimmed), not a blank one.
        QVERIFY(sink.videoFrame().isValid());
        // Pictures resume: live at once.
        feed.push(flatFrame(32, 32, 100, 128, 128, 99));
        QCOMPARE(view.state(), QStringLiteral("live"));
        QCOMPARE(view.stalledSeconds(), 0);
    }

    void hiddenViewsGetNothingAndTheNewestPictureWhenShown()
    {
        app::CameraFeed feed(QStringLiteral("camera0"));
        QVideoSink wall, detail;
        app::LiveView tile, view;
        tile.setFeed(&feed);
        tile.setVideoSink(&wall);
        tile.setCameraLive(true);
        view.setFeed(&feed);
        view.setVideoSink(&detail);
        view.setCameraLive(true);
        view.setActive(false);
        QCOMPARE(view.state(), QStringLiteral("paused"));
        QCOMPARE(feed.viewers(), 1);
        feed.push(flatFrame(32, 32, 50, 128, 128, 1));
        QVERIFY(!detail.videoFrame().isValid());
        // Opening the camera view: the newest picture at once, and live.
        view.setActive(true);
        QCOMPARE(feed.viewers(), 2);
        QCOMPARE(detail.videoFrame().size(), QSize(32, 32));
        QCOMPARE(view.state(), QStringLiteral("live"));
        // The wall hidden under it stops receiving pictures.
        tile.setActive(false);
        QCOMPARE(tile.state(), QStringLiteral("paused"));
        QSignalSpy wallFrames(&wall, &QVideoSink::videoFrameChanged);
        feed.push(flatFrame(32, 32, 60, 128, 128, 2));
        QCOMPARE(wallFrames.count(), 0);
        // Decoding goes on for a while after the last view leaves, so coming back is instant.
        view.setActive(false);
        QCOMPARE(feed.viewers(), 0);
        view.setCameraLive(false);
        QCOMPARE(view.state(), QStringLiteral("offline"));
    }

    void thePictureIsTheDecodedOne()
    {
        Rig rig;
        // Video-range YUV for a saturated red: Y 81, U 90, V 240.
        rig.feed.push(flatFrame(48, 32, 81, 90, 240, 1));
        QVideoFrame frame = rig.sink.videoFrame();
        QCOMPARE(frame.pixelFormat(), QVideoFrameFormat::Format_YUV420P);
        const QImage image = frame.toImage();
        QVERIFY(!image.isNull());
        const QColor c = image.pixelColor(24, 16);
        QVERIFY2(c.red() > 220 && c.green() < 40 && c.blue() < 40, qPrintable(c.name()));
    }

    void noViewNoDecodeAndLiveFromPacketsWithoutReader()
    {
        app::CameraFeed feed(QStringLiteral("camera0"));
        QVERIFY(!feed.decoding());
        QVERIFY(!feed.isLive(media::LiveReader::nowMs()));  // no reader: never live
    }
};

QTEST_MAIN(TestLiveView)
#include "tst_liveview.moc"
