import QtQuick
import QtQuick.Controls
import QtQuick.VirtualKeyboard
import CameraStation

// The kiosk's on-screen keyboard (QT_IM_MODULE=qtvirtualkeyboard), docked at
// the bottom, with a Hide button above it. `occupied` is the height it covers,
// so the window can lift the page and keep the focused field in view.
Item {
    id: root
    z: 1000
    anchors.fill: parent
    readonly property real occupied: Qt.inputMethod.visible ? panel.height + hideBar.height : 0

    Rectangle {
        id: hideBar
        width: parent.width
        height: 52
        y: panel.y - height
        visible: Qt.inputMethod.visible
        color: "#1b2430"
        IconButton {
            objectName: "hideKeyboard"
            anchors.right: parent.right; anchors.verticalCenter: parent.verticalCenter; anchors.rightMargin: 8
            implicitHeight: 44
            iconName: "close"
            text: qsTr("Hide keyboard")
            flat: true
            onClicked: Qt.inputMethod.hide()
        }
    }
    InputPanel {
        id: panel
        width: parent.width
        y: Qt.inputMethod.visible ? parent.height - height : parent.height
        Behavior on y { NumberAnimation { duration: 150 } }
    }
}
