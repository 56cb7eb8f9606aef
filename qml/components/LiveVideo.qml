import QtQuick
import QtQuick.Controls
import QtMultimedia
import CameraStation
import CameraStation.Native

// One camera's live picture with its state. The station decodes each camera
// once (LiveFeeds in C++) and hands the pictures to every view of it, so a
// view that appears shows the newest picture at once. The state comes from
// the pictures themselves (LiveView): LIVE only while one arrived within the
// last second; otherwise the last picture stays, dimmed, and says why.
Rectangle {
    id: root
    required property string cameraId
    required property string name
    required property string status        // live | offline | error (registry)
    required property string statusText
    required property bool recording
    required property var recordingSince
    property int recordingDuration: 0
    property bool active: true             // false: hidden, nothing drawn into it
    property bool compact: true           // tile (true) or camera view (false)
    property int pillTop: 10              // the camera view puts its own bar above the pill
    // live | connecting | stalled | offline | paused
    readonly property string state: view.state
    readonly property bool live: view.state === "live"
    readonly property alias videoOutput: output
    readonly property int framesSeen: view.frames
    readonly property string stateText: view.state === "live" ? qsTr("LIVE")
                                      : view.state === "connecting" ? qsTr("CONNECTING")
                                      : view.state === "stalled" ? (view.stalledSeconds < 60 ? qsTr("RECONNECTING") : qsTr("NO SIGNAL"))
                                      : view.state === "paused" ? "" : qsTr("OFFLINE")
    readonly property string reason: view.state === "offline" ? root.statusText
                                   : view.state === "connecting" ? qsTr("Connecting…")
                                   : view.state === "stalled" ? (view.stalledSeconds < 60 ? qsTr("Reconnecting… %1 s").arg(view.stalledSeconds)
                                                                : qsTr("No signal since %1").arg(Qt.formatTime(view.lastFrameTime, "hh:mm")))
                                   : ""

    color: "#000000"
    radius: compact ? Theme.radius : 0
    clip: true

    VideoOutput {
        id: output
        anchors.fill: parent
        fillMode: VideoOutput.PreserveAspectFit
        visible: view.frames > 0 || view.state === "live"
    }
    LiveView {
        id: view
        cameraId: root.cameraId
        videoSink: output.videoSink
        active: root.active
        cameraLive: root.status === "live"
        onStateChanged: {
            if (stats.enabled)
                console.info("ui-stats state", root.cameraId + (root.compact ? "" : "/view"), view.state, "ms_after_tile_created", Date.now() - stats.createdMs)
        }
    }

    // Opt-in frame statistics for the benchmarks (STATION_UI_STATS=1):
    // state changes, and frames per second per view every 5 s, on the log.
    QtObject {
        id: stats
        readonly property bool enabled: typeof uiStatsEnabled !== "undefined" && uiStatsEnabled
        property real createdMs: Date.now()
        property int lastFrames: 0
        property real lastMs: Date.now()
    }
    Timer {
        interval: 5000
        repeat: true
        running: stats.enabled
        onTriggered: {
            const now = Date.now()
            console.info("ui-stats fps", root.cameraId + (root.compact ? "" : "/view"), ((view.frames - stats.lastFrames) * 1000 / (now - stats.lastMs)).toFixed(2),
                         "frames", view.frames, "state", view.state)
            stats.lastFrames = view.frames
            stats.lastMs = now
        }
    }

    // Not live: the last picture stays, dimmed, under the reason.
    Rectangle {
        anchors.fill: parent
        color: "#000000"
        opacity: view.state === "live" ? 0 : 0.6
        Behavior on opacity { NumberAnimation { duration: Theme.fast } }
    }

    // No live picture: say why, large enough to read across the room, above the name bar.
    Item {
        anchors.fill: parent
        anchors.topMargin: root.pillTop + 34
        anchors.bottomMargin: root.compact ? 48 : 0
        visible: view.state !== "live" && view.state !== "paused"
        Column {
            anchors.centerIn: parent
            width: parent.width - 32
            spacing: 8
            Icon {
                anchors.horizontalCenter: parent.horizontalCenter
                name: view.state === "offline" ? "offline" : "camera"
                width: root.compact ? 36 : 64; height: width
                opacity: 0.8
                visible: parent.parent.height > 110
            }
            BusyIndicator {
                anchors.horizontalCenter: parent.horizontalCenter
                running: view.state === "connecting" || (view.state === "stalled" && view.stalledSeconds < 60)
                visible: running && parent.parent.height > 150
                width: 36; height: 36
            }
            Label {
                objectName: "reason"
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
                text: root.reason
                color: Theme.text
                font.pixelSize: root.compact ? Theme.fontSmall : Theme.fontBody
                maximumLineCount: 2
                elide: Text.ElideRight
            }
        }
    }

    // State pill, top left.
    Rectangle {
        id: pill
        objectName: "statePill"
        x: 10; y: root.pillTop
        height: 30; radius: 15
        width: pillRow.implicitWidth + 20
        visible: root.stateText !== ""
        color: "#b3000000"
        Row {
            id: pillRow
            anchors.centerIn: parent
            spacing: 8
            Rectangle {
                anchors.verticalCenter: parent.verticalCenter
                width: 12; height: 12; radius: 6
                color: view.state === "live" ? Theme.ok : view.state === "offline" || (view.state === "stalled" && view.stalledSeconds >= 60) ? Theme.bad : Theme.warn
            }
            Label {
                text: root.stateText
                color: Theme.text
                font.pixelSize: 15
                font.bold: true
            }
        }
        Accessible.role: Accessible.StaticText
        Accessible.name: qsTr("%1 is %2").arg(root.name).arg(root.stateText)
    }

    RecBadge {
        anchors.top: parent.top; anchors.right: parent.right; anchors.margins: 10
        anchors.topMargin: root.pillTop
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
