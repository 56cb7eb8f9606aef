import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// "Delete this?" with a clearly dangerous confirm button and a safe default.
Popup {
    id: dialog
    property string title
    property string message
    property string confirmText: qsTr("Delete")
    property string confirmIcon: "delete"
    property var onConfirmed: null

    // icon: the confirm button's icon (default "delete"; Exit passes "exit").
    function ask(t, m, confirmLabel, then, icon) {
        title = t; message = m; confirmText = confirmLabel || qsTr("Delete"); onConfirmed = then
        confirmIcon = icon || "delete"
        open()
    }

    modal: true
    Overlay.modal: Rectangle { color: Theme.scrim }
    anchors.centerIn: Overlay.overlay
    width: Math.min(520, (parent ? parent.width : 520) - 32)
    // On a small screen the buttons stay on it: the text scrolls instead.
    height: Math.min(implicitHeight, (parent ? parent.height : 480) - 32)
    padding: 24
    background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.border }
    onOpened: cancelButton.forceActiveFocus()

    contentItem: ColumnLayout {
        spacing: 16
        Label { text: dialog.title; color: Theme.text; font.pixelSize: Theme.fontTitle; font.bold: true; Layout.fillWidth: true; wrapMode: Text.WordWrap }
        Label { text: dialog.message; color: Theme.textMuted; font.pixelSize: Theme.fontBody; Layout.fillWidth: true; wrapMode: Text.WordWrap }
        RowLayout {
            Layout.alignment: Qt.AlignRight
            spacing: 12
            IconButton { id: cancelButton; text: qsTr("Cancel"); onClicked: dialog.close() }
            IconButton {
                objectName: "confirmButton"
                text: dialog.confirmText; iconName: dialog.confirmIcon; tint: "#8e2a26"
                onClicked: { dialog.close(); if (dialog.onConfirmed) dialog.onConfirmed() }
            }
        }
    }
}
