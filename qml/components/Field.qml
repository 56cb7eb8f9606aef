import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// A labelled text field with its validation message underneath.
ColumnLayout {
    id: field
    property string label
    property alias text: input.text
    property alias placeholder: input.placeholderText
    property alias inputMethodHints: input.inputMethodHints
    property alias validator: input.validator
    property var check: null        // function(text) -> "" or a sentence
    property string error: ""
    property bool touched: false
    // Enter moves to `next` (another Field); on the last field it hides the
    // keyboard and emits submitted(), so a form can act on it.
    property var next: null
    signal submitted()
    spacing: 4
    Layout.fillWidth: true

    function validate() { touched = true; error = check ? check(input.text) : ""; return error === "" }
    function clear() { input.text = ""; touched = false; error = "" }
    function focusInput() { input.forceActiveFocus() }

    Label { text: field.label; color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
    TextField {
        id: input
        Layout.fillWidth: true
        Layout.preferredHeight: Theme.touchTarget
        font.pixelSize: Theme.fontBody
        color: Theme.text
        Accessible.name: field.label
        onTextEdited: if (field.touched) field.validate()
        onEditingFinished: if (text !== "") field.validate()
        EnterKey.type: field.next ? Qt.EnterKeyNext : Qt.EnterKeyDone
        onAccepted: {
            if (field.next) { field.next.focusInput(); return }
            Qt.inputMethod.hide()
            input.focus = false
            field.submitted()
        }
    }
    Label {
        visible: field.error !== ""
        text: field.error
        color: Theme.bad
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
