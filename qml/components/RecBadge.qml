import QtQuick
import QtQuick.Controls
import CameraStation

// REC and the elapsed time (or the time left for a timed recording).
Rectangle {
    id: badge
    property var since
    property int durationSeconds: 0
    readonly property int elapsed: Clock.secondsSince(since)
    height: 30; radius: 15
    width: row.implicitWidth + 20
    color: Theme.record
    Accessible.role: Accessible.StaticText
    Accessible.name: qsTr("Recording, %1").arg(label.text)
    Row {
        id: row
        anchors.centerIn: parent
        spacing: 8
        Rectangle {
            anchors.verticalCenter: parent.verticalCenter
            width: 10; height: 10; radius: 5; color: "white"
            SequentialAnimation on opacity {
                running: badge.visible; loops: Animation.Infinite
                NumberAnimation { to: 0.2; duration: 600 }
                NumberAnimation { to: 1; duration: 600 }
            }
        }
        Label {
            id: label
            text: "REC " + Theme.duration(badge.elapsed)
                  + (badge.durationSeconds > 0 ? " / " + Theme.duration(badge.durationSeconds) : "")
            color: "white"
            font.pixelSize: 15
            font.bold: true
            font.family: "monospace"
        }
    }
}
