import QtQuick
import QtQuick.Controls
import QtMultimedia
import CameraStation
import CameraStation.Native

// One camera's live picture with its state: plays the RTSP stream while the
// camera is connected and `active`, restarts it when frames stop (see
// StreamWatchdog) and says why there is no picture when there is none.
Rectangle {
    id: root
    required property string cameraId
    required property string name
    required property string status        // live | offline | error (registry)
    required property string statusText
    required property string streamUrl
    required property bool recording
    required property var recordingSince
    property int recordingDuration: 0
    property bool active: true
    property bool compact: true           // tile (true) or camera view (false)
    readonly property string state: dog.state
    readonly property alias player: player
    readonly property alias videoOutput: output
    property int framesSeen: 0

    color: "#000000"
    radius: compact ? Theme.radius : 0
    clip: true

    MediaPlayer {
        id: player
        videoOutput: output
        onErrorOccurred: (error, errorString) => dog.playerError(errorString !== "" ? errorString : qsTr("The stream could not be played."))
    }
    VideoOutput {
        id: output
        anchors.fill: parent
        fillMode: VideoOutput.PreserveAspectFit
    }
    // Frames are counted in C++ (FrameMonitor): a QML handler on the sink's
    // videoFrameChanged would wrap every decoded picture for the JS heap.
    FrameMonitor {
        id: frameMonitor
        videoSink: output.videoSink
        onFramesArrived: {
            root.framesSeen = frameMonitor.frames
            dog.frame()
            if (stats.enabled && stats.playStartedMs > 0) {
                console.info("ui-stats first-frame", root.cameraId + (root.compact ? "" : "/view"), "ms_after_play", Date.now() - stats.playStartedMs,
                             "ms_after_tile_created", Date.now() - stats.createdMs)
                stats.playStartedMs = 0
            }
        }
    }

    // Opt-in frame statistics for the benchmarks (STATION_UI_STATS=1): the
    // time to the first frame after each (re)start, and frames per second per
    // tile every 5 s, on the log. Off: nothing runs.
    QtObject {
        id: stats
        readonly property bool enabled: typeof uiStatsEnabled !== "undefined" && uiStatsEnabled
        property real createdMs: Date.now()
        property real playStartedMs: 0
        property int lastFrames: 0
        property real lastMs: Date.now()
    }
    Timer {
        interval: 5000
        repeat: true
        running: stats.enabled
        onTriggered: {
            const now = Date.now()
            console.info("ui-stats fps", root.cameraId + (root.compact ? "" : "/view"), ((root.framesSeen - stats.lastFrames) * 1000 / (now - stats.lastMs)).toFixed(2),
                         "frames", root.framesSeen, "state", dog.state)
            stats.lastFrames = root.framesSeen
            stats.lastMs = now
        }
    }

    StreamWatchdog {
        id: dog
        cameraLive: root.status === "live"
        active: root.active
        offlineReason: root.statusText
        onRestartRequested: {
            if (stats.enabled)
                stats.playStartedMs = Date.now()
            player.stop()
            player.source = ""
            player.source = root.streamUrl
            player.play()
        }
        onStopRequested: { player.stop(); player.source = "" }
    }

    // No picture: say why, large enough to read across the room.
    Column {
        anchors.centerIn: parent
        width: parent.width - 32
        spacing: 10
        visible: dog.state !== "live"
        Icon {
            anchors.horizontalCenter: parent.horizontalCenter
            name: dog.state === "offline" ? "offline" : "camera"
            width: root.compact ? 40 : 64; height: width
            opacity: 0.7
        }
        BusyIndicator {
            anchors.horizontalCenter: parent.horizontalCenter
            running: dog.state === "connecting"
            visible: running
            width: 40; height: 40
        }
        Label {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            text: dog.state === "paused" ? "" : dog.reason
            color: Theme.textMuted
            font.pixelSize: root.compact ? Theme.fontSmall : Theme.fontBody
            maximumLineCount: 3
            elide: Text.ElideRight
        }
    }

    // State pill, top left.
    Rectangle {
        id: pill
        x: 10; y: 10
        height: 30; radius: 15
        width: pillRow.implicitWidth + 20
        color: "#b3000000"
        Row {
            id: pillRow
            anchors.centerIn: parent
            spacing: 8
            Rectangle {
                anchors.verticalCenter: parent.verticalCenter
                width: 12; height: 12; radius: 6
                color: Theme.statusColor(dog.state)
            }
            Label {
                text: dog.state === "live" ? qsTr("LIVE") : dog.state === "connecting" ? qsTr("CONNECTING") : dog.state === "paused" ? qsTr("PAUSED") : qsTr("OFFLINE")
                color: Theme.text
                font.pixelSize: 15
                font.bold: true
            }
        }
        Accessible.role: Accessible.StaticText
        Accessible.name: qsTr("%1 is %2").arg(root.name).arg(dog.state)
    }

    RecBadge {
        anchors.top: parent.top; anchors.right: parent.right; anchors.margins: 10
        visible: root.recording
        since: root.recordingSince
        durationSeconds: root.recordingDuration
    }

    // Name, bottom left over a scrim.
    Rectangle {
        visible: root.compact
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
        height: 44
        gradient: Gradient {
            GradientStop { position: 0; color: "transparent" }
            GradientStop { position: 1; color: "#d9000000" }
        }
        Label {
            anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
            anchors.margins: 10
            text: root.name
            color: Theme.text
            font.pixelSize: Theme.fontBody
            font.bold: true
            elide: Text.ElideRight
        }
    }
}
