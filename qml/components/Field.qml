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
    spacing: 4
    Layout.fillWidth: true

    function validate() { touched = true; error = check ? check(input.text) : ""; return error === "" }
    function clear() { input.text = ""; touched = false; error = "" }

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
