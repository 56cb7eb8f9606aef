import QtQuick

// The live-tile state machine: offline (the camera is not connected),
// connecting (player started, no picture yet), live (frames arrive).
// No frame for stallMs while live, or none within connectMs of a (re)start,
// asks for a restart (stop; source=""; source=url; play(), see PLATFORM.md),
// backing off up to maxRetryMs so a dead source is not hammered.
Item {
    id: dog
    visible: false

    property bool cameraLive: false      // the registry says the camera is connected
    property bool active: true           // false: the tile is hidden, video stopped on purpose
    property string offlineReason: ""
    property int stallMs: 3000
    property int connectMs: 10000
    property int maxRetryMs: 30000

    readonly property string state: !cameraLive ? "offline" : !active ? "paused" : _live ? "live" : "connecting"
    readonly property string reason: state === "offline" ? offlineReason
                                     : state === "connecting" ? (_error !== "" ? _error : attempts > 0 ? qsTr("Reconnecting…") : qsTr("Connecting…"))
                                     : ""
    property int attempts: 0
    property bool _live: false
    property string _error: ""

    signal restartRequested()
    signal stopRequested()

    function frame() {
        if (!_live) { _live = true; attempts = 0; _error = "" }
        stallTimer.restart()
    }
    function playerError(message) {
        _error = message
        _live = false
        stallTimer.stop()
        retryTimer.interval = Math.min(maxRetryMs, 2000 * Math.pow(2, Math.min(attempts, 4)))
        retryTimer.restart()
    }
    function start() {
        _live = false
        stallTimer.stop()
        if (cameraLive && active) {
            restartRequested()
            connectTimer.restart()
        } else {
            connectTimer.stop(); retryTimer.stop()
            stopRequested()
        }
    }
    function _retry() {
        attempts += 1
        start()
    }

    onCameraLiveChanged: { attempts = 0; _error = ""; start() }
    onActiveChanged: start()
    Component.onCompleted: start()

    Timer { id: stallTimer; interval: dog.stallMs; onTriggered: { dog._live = false; dog._retry() } }
    Timer {
        id: connectTimer
        interval: Math.min(dog.maxRetryMs, dog.connectMs * Math.pow(1.5, Math.min(dog.attempts, 4)))
        onTriggered: if (!dog._live && dog.cameraLive && dog.active) dog._retry()
    }
    Timer { id: retryTimer; onTriggered: dog._retry() }
}
