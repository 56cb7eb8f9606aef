import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// The camera view over the wall: one camera at a time, previous/next by
// swipe, arrow keys or PgUp/PgDn. Only the shown camera has a player.
FocusScope {
    id: page
    required property var cameras      // CameraListModel
    required property var capture
    property bool kiosk: false
    property int currentIndex: 0
    readonly property int count: repeater.count
    readonly property bool narrow: width < 900
    readonly property var current: repeater.count > 0 && currentIndex < repeater.count ? repeater.itemAt(currentIndex) : null
    signal closed()

    function step(d) { if (count > 0) currentIndex = (currentIndex + d + count) % count }
    function snapshot() { if (current && current.item) current.item.snapshot() }
    function toggleRecording() { if (current && current.item) current.item.toggleRecording() }

    Keys.onPressed: (event) => {
        switch (event.key) {
        case Qt.Key_Left: case Qt.Key_PageUp: step(-1); break
        case Qt.Key_Right: case Qt.Key_PageDown: step(1); break
        case Qt.Key_Space: snapshot(); break
        case Qt.Key_R: toggleRecording(); break
        case Qt.Key_Escape: case Qt.Key_Back: closed(); break
        default: return
        }
        event.accepted = true
    }

    // A camera unplugged while shown: stay in range, close when none is left.
    onCountChanged: {
        if (count === 0) closed()
        else if (currentIndex >= count) currentIndex = count - 1
    }

    Rectangle { anchors.fill: parent; color: Theme.background }

    Repeater {
        id: repeater
        model: page.cameras
        delegate: Loader {
            id: slot
            required property int index
            required property var model
            anchors.fill: parent
            active: index === page.currentIndex
            visible: active
            sourceComponent: CameraDetail {
                cameraId: slot.model.cameraId
                name: slot.model.name
                status: slot.model.status
                statusText: slot.model.statusText
                recording: slot.model.recording
                recordingSince: slot.model.recordingSince
                recordingDuration: slot.model.recordingDuration
                resolution: slot.model.resolution
                fps: slot.model.fps
                sourceType: slot.model.sourceType
                capture: page.capture
                kiosk: page.kiosk
                onSwiped: (d) => page.step(d)
            }
        }
    }

    // Over the picture: Back, the camera's name and the info sheet at the top;
    // previous/next at the bottom left.
    Rectangle {
        anchors.left: parent.left; anchors.right: parent.right; anchors.top: parent.top
        height: 72
        gradient: Gradient {
            GradientStop { position: 0; color: "#d9000000" }
            GradientStop { position: 1; color: "transparent" }
        }
    }
    RowLayout {
        anchors.left: parent.left; anchors.right: parent.right; anchors.top: parent.top
        anchors.margins: 8
        spacing: Theme.spacing
        IconButton {
            objectName: "backButton"
            iconName: "back"
            text: page.narrow ? qsTr("Back") : qsTr("All cameras")
            tint: "#cc1b2430"
            Accessible.name: qsTr("Back to all cameras")
            onClicked: page.closed()
        }
        Label {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: page.current && page.current.item ? page.current.item.name : ""
            color: Theme.text
            font.pixelSize: Theme.fontTitle
            font.bold: true
            elide: Text.ElideRight
            style: Text.Outline; styleColor: "black"
        }
        IconButton {
            objectName: "infoButton"
            iconName: "info"
            text: qsTr("Info")
            showText: !page.narrow
            tint: "#cc1b2430"
            Accessible.name: qsTr("Camera details and stream addresses")
            onClicked: if (page.current && page.current.item) page.current.item.showInfo()
        }
    }
    Row {
        anchors.left: parent.left; anchors.bottom: parent.bottom; anchors.margins: Theme.margin
        spacing: 8
        visible: page.count > 1
        IconButton { iconName: "back"; text: qsTr("Previous camera"); showText: false; tint: "#cc1b2430"; implicitHeight: 60; onClicked: page.step(-1) }
        Label {
            anchors.verticalCenter: parent.verticalCenter
            text: qsTr("%1 of %2").arg(page.currentIndex + 1).arg(page.count)
            color: Theme.text; font.pixelSize: Theme.fontBody
            style: Text.Outline; styleColor: "black"
        }
        IconButton { iconName: "next"; text: qsTr("Next camera"); showText: false; tint: "#cc1b2430"; implicitHeight: 60; onClicked: page.step(1) }
    }
}
