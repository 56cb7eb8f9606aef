import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtMultimedia
import CameraStation

// Plays a recording (play/pause, seek, time) or shows a snapshot (pinch,
// wheel or double-tap to zoom), with export and delete.
Rectangle {
    id: viewer
    property var entry: ({})              // a MediaListModel row (get(i))
    property bool canDelete: true
    readonly property bool isVideo: !!entry.isVideo
    readonly property alias player: player
    property real zoomScale: 1
    signal closeRequested()
    signal exportRequested()
    property bool canExport: true
    property string exportText: qsTr("Export")
    property real exportProgress: -1        // 0..1 while a copy runs
    signal deleteRequested()
    signal stepRequested(int direction)

    color: "#000000"
    focus: visible

    function load() {
        player.stop()
        player.source = ""
        viewer.zoomScale = 1
        if (visible && isVideo) { player.source = entry.fileUrl; player.play() }
    }
    onEntryChanged: load()
    onVisibleChanged: load()

    Keys.onPressed: (event) => {
        switch (event.key) {
        case Qt.Key_Escape: case Qt.Key_Back: closeRequested(); break
        case Qt.Key_Space: if (isVideo) player.playbackState === MediaPlayer.PlayingState ? player.pause() : player.play(); break
        case Qt.Key_Left: if (isVideo) player.position = Math.max(0, player.position - 5000); else stepRequested(-1); break
        case Qt.Key_Right: if (isVideo) player.position = Math.min(player.duration, player.position + 5000); else stepRequested(1); break
        case Qt.Key_PageUp: stepRequested(-1); break
        case Qt.Key_PageDown: stepRequested(1); break
        case Qt.Key_Delete: deleteRequested(); break
        default: return
        }
        event.accepted = true
    }

    MediaPlayer {
        id: player
        videoOutput: videoOut
    }
    VideoOutput {
        id: videoOut
        objectName: "playbackVideo"
        visible: viewer.isVideo
        anchors.fill: parent
        anchors.bottomMargin: controls.height
        TapHandler { onTapped: player.playbackState === MediaPlayer.PlayingState ? player.pause() : player.play() }
    }

    Flickable {
        id: zoomArea
        visible: !viewer.isVideo
        anchors.fill: parent
        anchors.bottomMargin: controls.height
        contentWidth: Math.max(width, image.width * viewer.zoomScale)
        contentHeight: Math.max(height, image.height * viewer.zoomScale)
        clip: true
        Item {
            width: zoomArea.contentWidth; height: zoomArea.contentHeight
            Image {
                id: image
                objectName: "snapshotImage"
                anchors.centerIn: parent
                width: zoomArea.width; height: zoomArea.height
                source: viewer.isVideo ? "" : (viewer.entry.fileUrl || "")
                fillMode: Image.PreserveAspectFit
                asynchronous: true
                scale: viewer.zoomScale
            }
        }
        PinchHandler {
            target: null
            property real startScale: 1
            onActiveChanged: if (active) startScale = viewer.zoomScale
            onActiveScaleChanged: if (active) viewer.zoomScale = Math.max(1, Math.min(6, startScale * activeScale))
        }
        TapHandler { onDoubleTapped: viewer.zoomScale = viewer.zoomScale > 1 ? 1 : 2.5 }
        WheelHandler { onWheel: (event) => viewer.zoomScale = Math.max(1, Math.min(6, viewer.zoomScale * (event.angleDelta.y > 0 ? 1.2 : 1 / 1.2))) }
    }

    // Top bar: title, export, delete, close.
    Rectangle {
        anchors.left: parent.left; anchors.right: parent.right
        height: 72
        color: "#b3000000"
        RowLayout {
            anchors.fill: parent; anchors.margins: 8
            spacing: 8
            IconButton { iconName: "back"; text: qsTr("Back to the library"); showText: false; flat: true; onClicked: viewer.closeRequested() }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0
                Label { text: viewer.entry.filename || ""; color: Theme.text; font.pixelSize: Theme.fontBody; elide: Text.ElideMiddle; Layout.fillWidth: true }
                Label { text: (viewer.entry.createdText || "") + "  ·  " + (viewer.entry.sizeText || ""); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
            }
            IconButton { visible: !viewer.isVideo; iconName: "zoom"; text: qsTr("Zoom"); showText: false; flat: true; onClicked: viewer.zoomScale = viewer.zoomScale > 1 ? 1 : 2.5 }
            ProgressBar {
                visible: viewer.exportProgress >= 0
                from: 0; to: 1; value: viewer.exportProgress
                Layout.preferredWidth: 120
                Accessible.name: qsTr("Exporting")
            }
            IconButton { objectName: "exportButton"; iconName: "export"; text: viewer.exportText; enabled: viewer.canExport; onClicked: viewer.exportRequested() }
            IconButton { visible: viewer.canDelete; iconName: "delete"; text: qsTr("Delete"); tint: "#5a1d1d"; onClicked: viewer.deleteRequested() }
        }
    }

    // Bottom: transport controls for recordings, previous/next for both.
    Rectangle {
        id: controls
        anchors.left: parent.left; anchors.right: parent.right; anchors.bottom: parent.bottom
        height: 80
        color: Theme.surface
        RowLayout {
            anchors.fill: parent; anchors.margins: 8
            spacing: 8
            IconButton { iconName: "back"; text: qsTr("Previous file"); showText: false; flat: true; onClicked: viewer.stepRequested(-1) }
            IconButton {
                visible: viewer.isVideo
                objectName: "playPause"
                iconName: player.playbackState === MediaPlayer.PlayingState ? "pause" : "play"
                text: player.playbackState === MediaPlayer.PlayingState ? qsTr("Pause") : qsTr("Play")
                showText: false
                onClicked: player.playbackState === MediaPlayer.PlayingState ? player.pause() : player.play()
            }
            Label {
                visible: viewer.isVideo
                // Both rounded the same way, the position never past the end ("0:10 / 0:09" otherwise).
                text: Theme.duration(Math.round(Math.min(player.position, player.duration) / 1000)) + " / " + Theme.duration(Math.round(player.duration / 1000))
                color: Theme.text; font.pixelSize: Theme.fontBody; font.family: "monospace"
            }
            Slider {
                visible: viewer.isVideo
                objectName: "seek"
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touchTarget
                from: 0; to: Math.max(1, player.duration)
                value: pressed ? value : player.position
                enabled: player.seekable
                Accessible.name: qsTr("Position")
                onMoved: player.position = value
            }
            Item { visible: !viewer.isVideo; Layout.fillWidth: true }
            IconButton { iconName: "next"; text: qsTr("Next file"); showText: false; flat: true; onClicked: viewer.stepRequested(1) }
        }
    }
}
