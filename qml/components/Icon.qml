import QtQuick
import CameraStation

Image {
    property string name
    width: Theme.iconSize
    height: Theme.iconSize
    source: name ? Theme.icon(name) : ""
    // Fixed raster size: tying it to width lets a layout grow the icon without end.
    sourceSize: Qt.size(96, 96)
    fillMode: Image.PreserveAspectFit
    smooth: true
    Accessible.ignored: true
}
