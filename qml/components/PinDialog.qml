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
    padding: dialog.parent && dialog.parent.height < 600 ? 12 : 24
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.border }
    onOpened: pad.forceActiveFocus()

    contentItem: Column {
        spacing: dialog.parent && dialog.parent.height < 600 ? 8 : 16
        Label {
            width: pad.implicitWidth
            text: dialog.reason
            color: Theme.text
            font.pixelSize: dialog.parent && dialog.parent.height < 600 ? Theme.fontBody : Theme.fontTitle
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
        }
        PinPad {
            id: pad
            gate: dialog.gate
            // Short screens: smaller keys, so Cancel stays on screen even with a message above the pad.
            keyHeight: dialog.parent && dialog.parent.height < 600 ? 46 : 72
            onAccepted: {
                dialog.close()
                if (dialog.onUnlocked) dialog.onUnlocked()
            }
        }
        IconButton {
            objectName: "pinCancel"
            width: pad.implicitWidth
            implicitHeight: dialog.parent && dialog.parent.height < 600 ? 44 : Theme.touchTarget
            text: qsTr("Cancel")
            flat: true
            onClicked: dialog.close()
        }
    }
}
