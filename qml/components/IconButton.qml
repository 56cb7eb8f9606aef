import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// A touch-sized button with an icon and an optional label. Pressed state is
// shown (no hover-only affordance).
AbstractButton {
    id: b
    property string iconName
    property color tint: Theme.surfaceRaised
    property bool flat: false
    property bool vertical: false
    property bool showText: true   // false: icon only, text still names it for accessibility
    property int iconSize: Theme.iconSize
    property int fontSize: Theme.fontBody
    implicitHeight: Math.max(Theme.touchTarget, content.implicitHeight + 16)
    implicitWidth: Math.max(implicitHeight, content.implicitWidth + 32)
    focusPolicy: Qt.StrongFocus
    Accessible.role: Accessible.Button
    Accessible.name: text
    opacity: enabled ? 1 : 0.4

    background: Rectangle {
        radius: Theme.radius
        color: b.flat && !b.down && !b.checked ? "transparent" : b.down ? Qt.lighter(b.tint, 1.4) : b.checked ? Qt.lighter(b.tint, 1.25) : b.tint
        border.color: b.visualFocus || (b.checkable && b.checked) ? Theme.accent : "transparent"
        border.width: 2
        Behavior on color { ColorAnimation { duration: Theme.fast } }
    }
    contentItem: Item {
        GridLayout {
            id: content
            anchors.centerIn: parent
            flow: b.vertical ? GridLayout.TopToBottom : GridLayout.LeftToRight
            rowSpacing: 4; columnSpacing: 10
            Icon {
                name: b.iconName
                visible: b.iconName !== ""
                width: b.iconSize; height: b.iconSize
                Layout.preferredWidth: b.iconSize; Layout.preferredHeight: b.iconSize
                Layout.alignment: Qt.AlignHCenter
            }
            Label {
                text: b.text
                visible: b.text !== "" && b.showText
                color: Theme.text
                font.pixelSize: b.fontSize
                font.bold: !b.vertical
                Layout.alignment: Qt.AlignHCenter
            }
        }
    }
}
