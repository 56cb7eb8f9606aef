import QtQuick
import QtTest
import CameraStation

// The live tile's state machine: offline / connecting / live, restart on
// frame loss, back-off on errors, nothing while hidden.
TestCase {
    id: tc
    name: "StreamWatchdog"

    Component {
        id: dogComponent
        StreamWatchdog {
            stallMs: 150
            connectMs: 300
            maxRetryMs: 2000
        }
    }

    function make(props) {
        const dog = createTemporaryObject(dogComponent, tc, props)
        verify(dog)
        return dog
    }

    SignalSpy { id: restarts; signalName: "restartRequested" }
    SignalSpy { id: stops; signalName: "stopRequested" }

    function init() { restarts.clear(); stops.clear() }

    function test_offlineCameraShowsReasonAndNeverPlays() {
        const dog = make({ cameraLive: false, offlineReason: "Unplugged." })
        restarts.target = dog
        compare(dog.state, "offline")
        compare(dog.reason, "Unplugged.")
        wait(400)
        compare(restarts.count, 0)
    }

    function test_connectingThenLiveOnFirstFrame() {
        const dog = make({ cameraLive: false })
        restarts.target = dog
        dog.cameraLive = true
        compare(dog.state, "connecting")
        compare(restarts.count, 1)
        dog.frame()
        compare(dog.state, "live")
        compare(dog.reason, "")
    }

    function test_frameLossRestartsThePlayer() {
        const dog = make({ cameraLive: true })
        restarts.target = dog
        dog.frame()
        const before = restarts.count
        // Frames keep coming: no restart.
        for (let i = 0; i < 4; ++i) { wait(60); dog.frame() }
        compare(restarts.count, before)
        // Frames stop: after stallMs it reconnects.
        tryCompare(dog, "state", "connecting", 1000)
        verify(restarts.count > before)
        verify(dog.attempts >= 1)
        dog.frame()
        compare(dog.state, "live")
        compare(dog.attempts, 0)
    }

    function test_noPictureAfterConnectTimeoutRetries() {
        const dog = make({ cameraLive: true })
        restarts.target = dog
        const first = restarts.count
        tryVerify(() => restarts.count > first, 1500)
        compare(dog.state, "connecting")
        compare(dog.reason, "Reconnecting…")
    }

    function test_playerErrorIsShownAndRetriedLater() {
        const dog = make({ cameraLive: true })
        restarts.target = dog
        const first = restarts.count
        dog.playerError("Could not read from resource.")
        compare(dog.state, "connecting")
        compare(dog.reason, "Could not read from resource.")
        tryVerify(() => restarts.count > first, 3000)
    }

    function test_hiddenTileStopsVideo() {
        const dog = make({ cameraLive: true })
        stops.target = dog
        dog.frame()
        dog.active = false
        compare(dog.state, "paused")
        compare(stops.count, 1)
    }

    function test_cameraGoingAwayStopsAndGoesOffline() {
        const dog = make({ cameraLive: true, offlineReason: "Not reachable." })
        stops.target = dog
        dog.frame()
        dog.cameraLive = false
        compare(dog.state, "offline")
        compare(dog.reason, "Not reachable.")
        verify(stops.count >= 1)
    }
}
