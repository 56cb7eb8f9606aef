import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// One camera fullscreen: big picture, Snapshot and Record/Stop, details and
// stream addresses. Verbs go to the capture controller (the same services
// the API's take_snapshot / start_recording use).
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
    readonly property bool narrow: width < 1000
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

    RowLayout {
        anchors.fill: parent
        spacing: 0

        LiveVideo {
            id: video
            objectName: "cameraVideo"
            Layout.fillWidth: true
            Layout.fillHeight: true
            cameraId: detail.cameraId
            name: detail.name
            status: detail.status
            statusText: detail.statusText
            recording: detail.recording
            recordingSince: detail.recordingSince
            recordingDuration: detail.recordingDuration
            compact: false
            // Play only while the camera view is shown: the page is created
            // hidden at start and the wall already plays this camera.
            active: detail.visible

            // The shutter: a white flash over the picture.
            Rectangle {
                id: flashRect
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
                id: swipe
                target: null
                xAxis.enabled: true; yAxis.enabled: false
                onActiveChanged: if (!active && Math.abs(translation.x) > 80) detail.swiped(translation.x < 0 ? 1 : -1)
            }
        }

        Rectangle {
            Layout.preferredWidth: detail.narrow ? 290 : 360
            Layout.fillHeight: true
            color: Theme.surface

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

                    Label {
                        text: detail.name
                        color: Theme.text
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }

                    IconButton {
                        objectName: "snapshotButton"
                        Layout.fillWidth: true
                        Layout.preferredHeight: detail.narrow ? 64 : 80
                        iconName: "camera"
                        iconSize: 36
                        text: qsTr("Snapshot")
                        fontSize: Theme.fontTitle
                        tint: "#2b3f55"
                        enabled: detail.status === "live" && !detail.capture.busy
                        onClicked: detail.snapshot()
                    }

                    IconButton {
                        objectName: "recordButton"
                        Layout.fillWidth: true
                        Layout.preferredHeight: detail.narrow ? 64 : 80
                        iconName: detail.recording ? "stop" : "record"
                        iconSize: 36
                        fontSize: Theme.fontTitle
                        text: detail.recording ? qsTr("Stop  %1").arg(Theme.duration(Clock.secondsSince(detail.recordingSince))) : qsTr("Record")
                        tint: detail.recording ? "#8e2a26" : "#3a2326"
                        enabled: (detail.recording || detail.status === "live") && !detail.capture.busy
                        onClicked: detail.toggleRecording()
                    }

                    // Duration presets, before starting; time left while a timed recording runs.
                    Label {
                        visible: detail.recording && detail.recordingDuration > 0
                        text: qsTr("%1 left").arg(Theme.duration(Math.max(0, detail.recordingDuration - Clock.secondsSince(detail.recordingSince))))
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                    }
                    Flow {
                        visible: !detail.recording
                        Layout.fillWidth: true
                        spacing: 8
                        Repeater {
                            model: [{ s: 0, t: qsTr("Until stopped") }, { s: 60, t: qsTr("1 min") }, { s: 300, t: qsTr("5 min") }, { s: 900, t: qsTr("15 min") }]
                            IconButton {
                                text: modelData.t
                                fontSize: Theme.fontSmall
                                checkable: true
                                checked: detail.presetSeconds === modelData.s
                                tint: Theme.surfaceRaised
                                Accessible.name: qsTr("Record for %1").arg(modelData.t)
                                onClicked: detail.presetSeconds = modelData.s
                            }
                        }
                    }

                    Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }

                    GridLayout {
                        columns: 2
                        columnSpacing: 12; rowSpacing: 6
                        Layout.fillWidth: true
                        Repeater {
                            model: [
                                [qsTr("Status"), detail.status === "live" ? qsTr("Connected") : detail.statusText],
                                [qsTr("Camera ID"), detail.cameraId],
                                [qsTr("Type"), detail.sourceType],
                                [qsTr("Picture"), (detail.resolution || qsTr("unknown")) + (detail.fps > 0 ? qsTr(" at %1 fps").arg(detail.fps) : "")]
                            ]
                            delegate: Label {
                                required property var modelData
                                required property int index
                                text: modelData[0]
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                                Layout.row: index; Layout.column: 0
                            }
                        }
                        Repeater {
                            model: [
                                detail.status === "live" ? qsTr("Connected") : detail.statusText,
                                detail.cameraId, detail.sourceType,
                                (detail.resolution || qsTr("unknown")) + (detail.fps > 0 ? qsTr(" at %1 fps").arg(detail.fps) : "")
                            ]
                            delegate: Label {
                                required property var modelData
                                required property int index
                                text: modelData
                                color: Theme.text
                                font.pixelSize: Theme.fontSmall
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                                Layout.row: index; Layout.column: 1
                            }
                        }
                    }

                    Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
                    Label { text: qsTr("Watch on another device"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
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
                                    // Selectable on desktop; copy button beside it.
                                    text: modelData[1] || ""
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
}
