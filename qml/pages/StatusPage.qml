import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// How the station is doing, in sentences.
Flickable {
    id: page
    required property var status       // StatusController
    property bool kiosk: false
    contentHeight: column.implicitHeight + 2 * Theme.margin
    clip: true
    boundsBehavior: Flickable.StopAtBounds
    ScrollBar.vertical: ScrollBar { width: 14 }

    component Card: Rectangle {
        default property alias content: inner.data
        property string title
        Layout.fillWidth: true
        implicitHeight: inner.implicitHeight + 56
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        Label { id: cardTitle; x: 16; y: 12; text: parent.title; color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
        ColumnLayout { id: inner; x: 16; y: 42; width: parent.width - 32; spacing: 6 }
    }
    component Figure: ColumnLayout {
        property string label
        property string value
        property real percent: -1
        spacing: 4
        Layout.fillWidth: true
        Label { text: parent.label; color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
        Label { text: parent.value; color: Theme.text; font.pixelSize: Theme.fontTitle; font.bold: true }
        ProgressBar { visible: parent.percent >= 0; from: 0; to: 100; value: parent.percent; Layout.fillWidth: true; Accessible.name: parent.label }
    }

    ColumnLayout {
        id: column
        x: Theme.margin; y: Theme.margin
        width: page.width - 2 * Theme.margin
        spacing: Theme.spacing

        RowLayout {
            spacing: 12
            Rectangle { width: 18; height: 18; radius: 9; color: Theme.statusColor(page.status.overallStatus) }
            Label {
                text: page.status.overallStatus === "healthy" ? qsTr("Everything is working")
                    : page.status.overallStatus === "degraded" ? qsTr("Working, with problems") : qsTr("Not working")
                color: Theme.text; font.pixelSize: Theme.fontDisplay
                Accessible.name: qsTr("Station status: %1").arg(text)
            }
        }

        // Started by the run command without MediaMTX (ui.demo_notice).
        Card {
            objectName: "demoNotice"
            visible: !!page.status.demoNotice
            title: qsTr("Demo")
            border.color: Theme.warn
            Label {
                text: page.status.demoNotice || ""
                color: Theme.warn; font.pixelSize: Theme.fontBody; wrapMode: Text.WordWrap; Layout.fillWidth: true
            }
            Label {
                text: qsTr("Live video, snapshots and recordings work, from synthetic test patterns. To use real cameras, install MediaMTX (verified against the release's published checksums) and start again, from the source folder:")
                color: Theme.textMuted; font.pixelSize: Theme.fontSmall; wrapMode: Text.WordWrap; Layout.fillWidth: true
            }
            TextEdit {
                text: page.status.demoFix || ""
                readOnly: true; selectByMouse: !page.kiosk
                color: Theme.text; font.family: "monospace"; font.pixelSize: Theme.fontSmall
                wrapMode: TextEdit.WrapAnywhere; Layout.fillWidth: true
                Accessible.name: qsTr("Install command")
            }
        }

        Card {
            title: qsTr("Media server (MediaMTX)")
            RowLayout {
                spacing: 10
                Rectangle { Layout.preferredWidth: 14; Layout.preferredHeight: 14; radius: 7; color: Theme.statusColor(page.status.mediamtxState) }
                Label { text: page.status.mediamtxMessage; color: Theme.text; font.pixelSize: Theme.fontBody; wrapMode: Text.WordWrap; Layout.fillWidth: true }
            }
            Label {
                visible: page.status.mediamtxFix !== ""
                text: qsTr("To install it (the release this station targets, checked against the checksums its publisher lists), run:")
                color: Theme.textMuted; font.pixelSize: Theme.fontSmall; wrapMode: Text.WordWrap; Layout.fillWidth: true
            }
            TextEdit {
                visible: page.status.mediamtxFix !== ""
                text: page.status.mediamtxFix
                readOnly: true; selectByMouse: !page.kiosk
                color: Theme.text; font.family: "monospace"; font.pixelSize: Theme.fontSmall
                wrapMode: TextEdit.WrapAnywhere; Layout.fillWidth: true
                Accessible.name: qsTr("Install command")
            }
        }

        GridLayout {
            Layout.fillWidth: true
            columns: page.width > 900 ? 4 : 2
            columnSpacing: Theme.spacing; rowSpacing: Theme.spacing
            Card {
                title: qsTr("Cameras online")
                Figure { value: qsTr("%1 of %2").arg(page.status.camerasOnline).arg(page.status.cameraCount) }
            }
            Card {
                title: qsTr("Remote clients")
                Figure { value: String(page.status.clientCount) }
            }
            Card {
                title: qsTr("Processor")
                Figure { value: Math.round(page.status.cpuPercent) + " %"; percent: page.status.cpuPercent }
            }
            Card {
                title: qsTr("Memory")
                Figure { value: Math.round(page.status.memoryPercent) + " %"; percent: page.status.memoryPercent }
            }
        }

        Card {
            title: qsTr("Disk")
            Label { text: page.status.storageText; color: Theme.text; font.pixelSize: Theme.fontBody }
            ProgressBar { from: 0; to: 100; value: page.status.diskPercent; Layout.fillWidth: true; Accessible.name: qsTr("Disk use") }
        }

        Card {
            title: qsTr("About")
            GridLayout {
                columns: 2; columnSpacing: 24; rowSpacing: 4
                Label { text: qsTr("Version"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                Label { text: page.status.version + qsTr(" (Qt %1)").arg(page.status.qtVersion); color: Theme.text; font.pixelSize: Theme.fontSmall }
                Label { text: qsTr("Remote API"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                Label { text: page.status.apiUrl; color: Theme.text; font.pixelSize: Theme.fontSmall }
                Label { text: qsTr("This app uses"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                Label { text: page.status.processMemoryText; color: Theme.text; font.pixelSize: Theme.fontSmall }
            }
        }
    }
}
