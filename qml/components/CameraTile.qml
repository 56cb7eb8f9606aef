import QtQuick
import QtQuick.Controls
import CameraStation

// A wall tile: the live picture; tap (or Enter) opens the camera view.
LiveVideo {
    id: tile
    required property int index
    signal opened(int index)

    objectName: "tile_" + cameraId
    activeFocusOnTab: true
    Accessible.role: Accessible.Button
    Accessible.name: qsTr("%1, %2. Open camera").arg(name).arg(state)
    Keys.onReturnPressed: opened(index)
    Keys.onEnterPressed: opened(index)

    TapHandler { onTapped: tile.opened(tile.index) }

    Rectangle {
        anchors.fill: parent
        color: "transparent"
        radius: parent.radius
        border.width: tile.activeFocus ? 3 : 1
        border.color: tile.activeFocus ? Theme.accent : Theme.border
    }
    scale: tapArea.pressed ? 0.98 : 1
    Behavior on scale { NumberAnimation { duration: Theme.fast } }
    MouseArea { id: tapArea; anchors.fill: parent; acceptedButtons: Qt.NoButton }
}
