import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// One camera over the whole screen: the picture fills it, Snapshot and
// Record (with durations) sit over it at the bottom; the camera's details and
// stream addresses are on an info sheet. Verbs go to the capture controller
// (the same services the API's take_snapshot / start_recording use).
Item {
    id: detail
    required property string cameraId
    required property string name
    required property string status
    required property string statusText
    required property bool recording
    required property var recordingSince
    required property int recordingDuration
    required property string resolution
    required property int fps
    required property string sourceType
    required property var capture          // CaptureController
    property bool kiosk: false
    property int presetSeconds: 0           // 0: until stopped
    property int barTop: 72                 // the page's top bar covers this much
    readonly property bool narrow: width < 900
    readonly property var urls: capture.streamUrls(cameraId)
    signal swiped(int direction)            // -1 previous, +1 next

    function snapshot() {
        if (status !== "live" || capture.busy) return
        flash.restart()
        capture.takeSnapshot(cameraId)
    }
    function toggleRecording() {
        if (capture.busy) return
        if (recording) capture.stopRecording(cameraId)
        else if (status === "live") capture.startRecording(cameraId, presetSeconds)
    }
    function showInfo() { info.open() }

    LiveVideo {
        id: video
        objectName: "cameraVideo"
        anchors.fill: parent
        cameraId: detail.cameraId
        name: detail.name
        status: detail.status
        statusText: detail.statusText
        recording: detail.recording
        recordingSince: detail.recordingSince
        recordingDuration: detail.recordingDuration
        compact: false
        pillTop: detail.barTop
        // Shown only while the camera view is: the page is created hidden at start.
        active: detail.visible

        // The shutter: a white flash over the picture.
        Rectangle {
            anchors.fill: parent
            color: "white"
            opacity: 0
            SequentialAnimation on opacity {
                id: flash
                running: false
                NumberAnimation { to: 0.85; duration: 40 }
                NumberAnimation { to: 0; duration: 260; easing.type: Easing.OutQuad }
            }
        }
        DragHandler {
            target: null
            xAxis.enabled: true; yAxis.enabled: false
            onActiveChanged: if (!active && Math.abs(translation.x) > 80) detail.swiped(translation.x < 0 ? 1 : -1)
        }
    }

    // Capture controls over the bottom of the picture, right-aligned so the
    // page's camera switcher keeps the left.
    Rectangle {
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
        height: controls.implicitHeight + 2 * Theme.margin
        gradient: Gradient {
            GradientStop { position: 0; color: "transparent" }
            GradientStop { position: 0.45; color: "#99000000" }
            GradientStop { position: 1; color: "#d9000000" }
        }
    }
    ColumnLayout {
        id: controls
        anchors.right: parent.right; anchors.bottom: parent.bottom; anchors.margins: Theme.margin
        spacing: 8

        // Before starting: how long to record. While a timed recording runs: the time left.
        Row {
            Layout.alignment: Qt.AlignRight
            visible: !detail.recording
            spacing: 6
            Repeater {
                model: [{ s: 0, t: qsTr("Until stopped") }, { s: 60, t: qsTr("1 min") }, { s: 300, t: qsTr("5 min") }, { s: 900, t: qsTr("15 min") }]
                IconButton {
                    text: modelData.t
                    fontSize: Theme.fontSmall
                    implicitHeight: 44
                    checkable: true
                    checked: detail.presetSeconds === modelData.s
                    tint: "#cc1b2430"
                    Accessible.name: qsTr("Record for %1").arg(modelData.t)
                    onClicked: detail.presetSeconds = modelData.s
                }
            }
        }
        Label {
            Layout.alignment: Qt.AlignRight
            visible: detail.recording && detail.recordingDuration > 0
            text: qsTr("%1 left").arg(Theme.duration(Math.max(0, detail.recordingDuration - Clock.secondsSince(detail.recordingSince))))
            color: Theme.text
            font.pixelSize: Theme.fontBody
            style: Text.Outline; styleColor: "black"
        }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            spacing: Theme.spacing
            IconButton {
                objectName: "snapshotButton"
                Layout.preferredHeight: detail.narrow ? 60 : 72
                Layout.preferredWidth: detail.narrow ? 170 : 210
                iconName: "camera"
                iconSize: 32
                text: qsTr("Snapshot")
                fontSize: Theme.fontTitle
                tint: "#e62b3f55"
                enabled: detail.status === "live" && !detail.capture.busy
                onClicked: detail.snapshot()
            }
            IconButton {
                objectName: "recordButton"
                Layout.preferredHeight: detail.narrow ? 60 : 72
                Layout.preferredWidth: detail.narrow ? 170 : 210
                iconName: detail.recording ? "stop" : "record"
                iconSize: 32
                fontSize: Theme.fontTitle
                text: detail.recording ? qsTr("Stop  %1").arg(Theme.duration(Clock.secondsSince(detail.recordingSince))) : qsTr("Record")
                tint: detail.recording ? "#e68e2a26" : "#e63a2326"
                enabled: (detail.recording || detail.status === "live") && !detail.capture.busy
                onClicked: detail.toggleRecording()
            }
        }
    }

    // The info sheet: what the camera is and how to watch it elsewhere.
    Drawer {
        id: info
        objectName: "cameraInfo"
        edge: Qt.RightEdge
        width: Math.min(detail.width * 0.9, 420)
        height: detail.height
        parent: detail
        background: Rectangle { color: Theme.surface }

        Flickable {
            anchors.fill: parent
            anchors.margins: Theme.margin
            contentHeight: panel.implicitHeight
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            ColumnLayout {
                id: panel
                width: parent.width
                spacing: Theme.spacing

                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        text: detail.name
                        color: Theme.text
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    IconButton { iconName: "close"; text: qsTr("Close"); showText: false; flat: true; onClicked: info.close() }
                }
                Repeater {
                    model: [
                        [qsTr("Status"), video.live ? qsTr("Live") : video.reason !== "" ? video.reason : detail.statusText],
                        [qsTr("Camera ID"), detail.cameraId],
                        [qsTr("Type"), detail.sourceType],
                        [qsTr("Picture"), (detail.resolution || qsTr("unknown")) + (detail.fps > 0 ? qsTr(" at %1 fps").arg(detail.fps) : "")]
                    ]
                    delegate: RowLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 12
                        Label {
                            text: modelData[0]
                            color: Theme.textMuted
                            font.pixelSize: Theme.fontSmall
                            Layout.preferredWidth: 110
                        }
                        Label {
                            text: modelData[1]
                            color: Theme.text
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                }

                Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
                Label { text: qsTr("Watch on another device"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                Label {
                    // Stream URLs carry a read token unless streams.anonymous_read is on (API.md §2.9).
                    visible: (detail.urls.rtsp || "").indexOf("token=") >= 0
                    text: detail.kiosk ? qsTr("Players need a viewing key with the address: copy it in the desktop app, or ask for it through the API.")
                                       : qsTr("Copied addresses include a viewing key, good for starting playback within an hour.")
                    color: Theme.textMuted
                    font.pixelSize: 14
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                Repeater {
                    model: [["RTSP", detail.urls.rtsp], ["HLS", detail.urls.hls], ["WebRTC", detail.urls.webrtc]]
                    delegate: RowLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 8
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 0
                            Label { text: modelData[0]; color: Theme.textMuted; font.pixelSize: 14 }
                            TextEdit {
                                // Selectable on desktop; copy button beside it. Shown without
                                // its viewing key (a long token); Copy takes the whole URL.
                                text: (modelData[1] || "").split("?")[0]
                                readOnly: true
                                selectByMouse: !detail.kiosk
                                color: Theme.text
                                font.pixelSize: 15
                                wrapMode: TextEdit.WrapAnywhere
                                Layout.fillWidth: true
                                Accessible.name: qsTr("%1 address").arg(modelData[0])
                            }
                        }
                        IconButton {
                            visible: !detail.kiosk
                            iconName: "copy"; showText: false; flat: true
                            text: qsTr("Copy %1 address").arg(modelData[0])
                            onClicked: { detail.capture.copyToClipboard(modelData[1]); copied.visible = true; copiedTimer.restart() }
                        }
                    }
                }
                Label {
                    id: copied
                    visible: false
                    text: qsTr("Copied")
                    color: Theme.ok
                    font.pixelSize: Theme.fontSmall
                    Timer { id: copiedTimer; interval: 1500; onTriggered: copied.visible = false }
                }
            }
        }
    }
}
