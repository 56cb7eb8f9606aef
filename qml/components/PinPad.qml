import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// On-screen number pad for the admin PIN. The gate (AdminGate) decides;
// this only collects digits. Works with a hardware keyboard too.
FocusScope {
    id: pad
    required property var gate           // unlock(pin) -> bool, lockoutSeconds, message, pinConfigured
    property string entered: ""
    readonly property int maxDigits: 12
    property int keyHeight: 72
    readonly property bool locked: gate.lockoutSeconds > 0 || !gate.pinConfigured
    signal accepted()

    implicitWidth: 3 * 88 + 2 * 12
    implicitHeight: column.implicitHeight
    focus: true

    function press(d) {
        if (locked || entered.length >= maxDigits) return
        entered += d
    }
    function backspace() { entered = entered.slice(0, -1) }
    function submit() {
        if (locked || entered.length === 0) return
        const ok = gate.unlock(entered)
        entered = ""
        if (ok) accepted()
        else shake.restart()
    }

    Keys.onPressed: (event) => {
        if (event.key >= Qt.Key_0 && event.key <= Qt.Key_9) { press(String(event.key - Qt.Key_0)); event.accepted = true }
        else if (event.key === Qt.Key_Backspace) { backspace(); event.accepted = true }
        else if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) { submit(); event.accepted = true }
    }

    ColumnLayout {
        id: column
        width: parent.width
        spacing: 12

        // Dots, not digits: someone may be watching.
        Row {
            id: dots
            objectName: "pinDots"
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredHeight: 28
            spacing: 12
            Repeater {
                model: Math.max(4, pad.entered.length)
                Rectangle {
                    width: 18; height: 18; radius: 9
                    color: index < pad.entered.length ? Theme.text : "transparent"
                    border.color: Theme.textMuted; border.width: 2
                }
            }
            transform: Translate { id: shakeOffset }
            SequentialAnimation {
                id: shake
                NumberAnimation { target: shakeOffset; property: "x"; to: -14; duration: 40 }
                NumberAnimation { target: shakeOffset; property: "x"; to: 14; duration: 70 }
                NumberAnimation { target: shakeOffset; property: "x"; to: 0; duration: 40 }
            }
        }
        Label {
            objectName: "pinMessage"
            Layout.fillWidth: true
            Layout.preferredWidth: pad.implicitWidth
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            text: pad.gate.message
            color: Theme.warn
            font.pixelSize: Theme.fontSmall
            visible: text !== ""
        }
        GridLayout {
            columns: 3
            rowSpacing: 12; columnSpacing: 12
            Layout.alignment: Qt.AlignHCenter
            Repeater {
                model: ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
                IconButton {
                    objectName: "digit" + modelData
                    text: modelData
                    fontSize: Theme.fontTitle
                    enabled: !pad.locked
                    Layout.preferredWidth: 88; Layout.preferredHeight: pad.keyHeight
                    Accessible.name: qsTr("Digit %1").arg(modelData)
                    onClicked: pad.press(modelData)
                }
            }
            IconButton {
                objectName: "backspace"
                iconName: "backspace"; text: qsTr("Delete digit"); showText: false
                Layout.preferredWidth: 88; Layout.preferredHeight: pad.keyHeight
                onClicked: pad.backspace()
            }
            IconButton {
                objectName: "digit0"
                text: "0"; fontSize: Theme.fontTitle
                enabled: !pad.locked
                Layout.preferredWidth: 88; Layout.preferredHeight: pad.keyHeight
                Accessible.name: qsTr("Digit 0")
                onClicked: pad.press("0")
            }
            IconButton {
                objectName: "ok"
                iconName: "check"; text: qsTr("Unlock"); showText: false
                tint: Theme.accent
                enabled: !pad.locked && pad.entered.length > 0
                Layout.preferredWidth: 88; Layout.preferredHeight: pad.keyHeight
                onClicked: pad.submit()
            }
        }
    }
}
