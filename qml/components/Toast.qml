import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// A short message at the bottom, optionally with a picture and an action.
Rectangle {
    id: toast
    property string text
    property string imageSource
    property string actionText
    property bool error: false
    signal actionTriggered()

    function show(message, image, action, isError) {
        text = message
        imageSource = image || ""
        actionText = action || ""
        error = !!isError
        opacity = 1
        hideTimer.restart()
    }

    visible: opacity > 0
    opacity: 0
    Behavior on opacity { NumberAnimation { duration: Theme.normal } }
    width: Math.min(parent ? parent.width - 32 : 600, layout.implicitWidth + 32)
    height: layout.implicitHeight + 24
    radius: Theme.radius
    color: error ? "#5a1d1d" : Theme.surfaceRaised
    border.color: error ? Theme.bad : Theme.border
    Accessible.role: Accessible.AlertMessage
    Accessible.name: text

    Timer { id: hideTimer; interval: toast.error ? 6000 : 4000; onTriggered: toast.opacity = 0 }
    TapHandler { onTapped: toast.opacity = 0 }

    RowLayout {
        id: layout
        anchors.centerIn: parent
        width: Math.min(implicitWidth, toast.parent ? toast.parent.width - 64 : 600)
        spacing: 16
        Image {
            visible: toast.imageSource !== ""
            source: toast.imageSource
            sourceSize.width: 160
            Layout.preferredWidth: 128
            Layout.preferredHeight: 72
            fillMode: Image.PreserveAspectCrop
            asynchronous: true
        }
        Icon { visible: toast.error; name: "warning" }
        Label {
            text: toast.text
            color: Theme.text
            font.pixelSize: Theme.fontBody
            wrapMode: Text.WordWrap
            Layout.maximumWidth: 520
        }
        IconButton {
            visible: toast.actionText !== ""
            text: toast.actionText
            tint: Theme.accent
            onClicked: { toast.opacity = 0; toast.actionTriggered() }
        }
    }
}
