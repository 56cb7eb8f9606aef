import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// Every camera in the grid that wastes the least screen for 16:9 pictures.
FocusScope {
    id: page
    required property var cameras        // CameraListModel
    property bool videoActive: true      // false while covered (camera view open)
    signal openCamera(int index)

    readonly property int gap: 8
    readonly property int columns: bestColumns(repeater.count, width - 2 * gap, height - 2 * gap, 16 / 9, gap)
    readonly property int rows: Math.max(1, Math.ceil(repeater.count / Math.max(1, columns)))
    readonly property real tileWidth: Math.min((width - gap * (columns + 1)) / columns,
                                               ((height - gap * (rows + 1)) / rows) * 16 / 9)
    readonly property real tileHeight: Math.min(tileWidth * 9 / 16, (height - gap * (rows + 1)) / rows)

    // 1, 2, 2x2, 3x3 ... chosen by count and the page's aspect.
    function bestColumns(n, w, h, aspect, spacing) {
        if (n <= 1) return 1
        let best = 1, bestWidth = 0
        for (let c = 1; c <= n; ++c) {
            const r = Math.ceil(n / c)
            const tw = Math.min((w - spacing * (c - 1)) / c, (h - spacing * (r - 1)) / r * aspect)
            if (tw > bestWidth + 0.5) { best = c; bestWidth = tw }
        }
        return best
    }

    Grid {
        id: grid
        anchors.centerIn: parent
        columns: page.columns
        spacing: page.gap
        Repeater {
            id: repeater
            model: page.cameras
            delegate: CameraTile {
                width: page.tileWidth
                height: page.tileHeight
                active: page.videoActive
                focus: index === 0
                onOpened: (i) => page.openCamera(i)
                KeyNavigation.right: repeater.itemAt(index + 1)
                KeyNavigation.left: index > 0 ? repeater.itemAt(index - 1) : null
                KeyNavigation.down: repeater.itemAt(index + page.columns)
                KeyNavigation.up: index >= page.columns ? repeater.itemAt(index - page.columns) : null
            }
        }
    }

    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width - 64, 620)
        spacing: 16
        visible: repeater.count === 0
        Icon { name: "camera"; width: 72; height: 72; anchors.horizontalCenter: parent.horizontalCenter; opacity: 0.6 }
        Label {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("No cameras yet")
            color: Theme.text
            font.pixelSize: Theme.fontDisplay
        }
        Label {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            text: qsTr("Plug in a USB camera, or add a network camera in Settings. Cameras appear here on their own.")
            color: Theme.textMuted
            font.pixelSize: Theme.fontBody
        }
    }
}
