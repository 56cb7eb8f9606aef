import QtQuick
import QtQuick.Controls
import CameraStation

// Asks for the admin PIN, then runs what needed it.
Popup {
    id: dialog
    required property var gate
    property var onUnlocked: null
    property string reason: qsTr("Enter the admin PIN")

    function ask(why, then) {
        reason = why || qsTr("Enter the admin PIN")
        onUnlocked = then || null
        if (!gate.kiosk || gate.unlocked) { if (onUnlocked) onUnlocked(); return }
        open()
    }

    modal: true
    Overlay.modal: Rectangle { color: Theme.scrim }
    anchors.centerIn: Overlay.overlay
    padding: 24
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.border }
    onOpened: pad.forceActiveFocus()

    contentItem: Column {
        spacing: 16
        Label {
            width: pad.implicitWidth
            text: dialog.reason
            color: Theme.text
            font.pixelSize: Theme.fontTitle
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
        }
        PinPad {
            id: pad
            gate: dialog.gate
            keyHeight: dialog.parent && dialog.parent.height < 600 ? 52 : 72
            onAccepted: {
                dialog.close()
                if (dialog.onUnlocked) dialog.onUnlocked()
            }
        }
        IconButton {
            width: pad.implicitWidth
            text: qsTr("Cancel")
            flat: true
            onClicked: dialog.close()
        }
    }
}
