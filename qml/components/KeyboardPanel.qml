import QtQuick
import QtQuick.VirtualKeyboard

// The kiosk's on-screen keyboard (QT_IM_MODULE=qtvirtualkeyboard), docked at the bottom.
InputPanel {
    id: panel
    z: 1000
    width: parent ? parent.width : 800
    y: Qt.inputMethod.visible ? parent.height - height : parent.height
    Behavior on y { NumberAnimation { duration: 150 } }
}
