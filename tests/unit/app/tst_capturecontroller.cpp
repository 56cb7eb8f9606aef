// The kiosk's door: CaptureController calls the same capture verbs as the API
// handlers, so it waits for the camera's turn and gets the same input checks.
#include "../media/CaptureFixture.h"

#include "controllers/CaptureController.h"
#include "core/Services.h"

#include <QSignalSpy>
#include <QTest>

using namespace station;

class TestCaptureController : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void waitsForTheCamerasTurn();
    void sameInputChecksAsTheApi();
};

namespace {

core::Services servicesOf(testing::Fixture &fx)
{
    core::Services s;
    s.config = &fx.config;
    s.capture = fx.capture.get();
    s.recordingService = fx.recordingService.get();
    return s;
}

} // namespace

void TestCaptureController::waitsForTheCamerasTurn()
{
    testing::Fixture fx;
    const QString id = fx.addNetworkCamera();
    app::CaptureController controller(servicesOf(fx));
    QSignalSpy failed(&controller, &app::CaptureController::failed);
    QSignalSpy busy(&controller, &app::CaptureController::busyChanged);

    // An API call (or a streaming call) holds the camera's turn.
    media::CameraQueue::Next release;
    fx.capture->queue().run(id, [&release](media::CameraQueue::Next next) { release = std::move(next); });
    controller.takeSnapshot(id);
    controller.stopRecording(id);
    QVERIFY(controller.busy());
    QCoreApplication::processEvents();
    QCOMPARE(failed.count(), 0);

    release();
    QCOMPARE(failed.count(), 2);
    QCOMPARE(failed.at(0).at(0).toString(), id);
    QCOMPARE(failed.at(0).at(1).toString(), app::CaptureController::sentence(media::CaptureError::dependencyFailed(media::CaptureError::Dependency::MediaMtx, {})));
    QCOMPARE(failed.at(1).at(1).toString(), QStringLiteral("This camera is not recording."));
    QVERIFY(!controller.busy());
    QCOMPARE(busy.count(), 2);  // busy once, idle once
}

void TestCaptureController::sameInputChecksAsTheApi()
{
    testing::Fixture fx;
    const QString id = fx.addNetworkCamera();
    app::CaptureController controller(servicesOf(fx));
    QSignalSpy failed(&controller, &app::CaptureController::failed);
    QSignalSpy started(&controller, &app::CaptureController::recordingStarted);

    controller.startRecording(id, int(media::CaptureService::kMaxRecordingSeconds + 1));
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("duration must be 1..86400")), qPrintable(failed.at(0).at(1).toString()));
    QCOMPARE(started.count(), 0);
    QVERIFY(!controller.busy());
}

QTEST_MAIN(TestCaptureController)
#include "tst_capturecontroller.moc"
