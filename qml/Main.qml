import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Placeholder shell until the camera wall arrives: shows that the services
// run and what the station needs (e.g. MediaMTX) in plain words.
ApplicationWindow {
    id: window
    width: 1280
    height: 800
    visible: true
    visibility: kioskMode ? Window.FullScreen : Window.AutomaticVisibility
    title: qsTr("Camera Station")
    color: "#101418"

    readonly property color textColor: "#e8edf2"
    readonly property color mutedColor: "#9aa7b4"
    readonly property color okColor: "#3fb950"
    readonly property color warnColor: "#d29922"
    readonly property color badColor: "#f85149"

    function statusColor(s) {
        return s === "healthy" ? okColor : s === "degraded" ? warnColor : badColor
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 48
        spacing: 24

        RowLayout {
            spacing: 16
            Rectangle {
                width: 20; height: 20; radius: 10
                color: window.statusColor(stationStatus.overallStatus)
                Accessible.name: qsTr("Overall status %1").arg(stationStatus.overallStatus)
            }
            Label {
                text: qsTr("Camera Station")
                color: window.textColor
                font.pixelSize: 40
                font.bold: true
            }
            Item { Layout.fillWidth: true }
            Label {
                text: qsTr("version %1").arg(stationStatus.version)
                color: window.mutedColor
                font.pixelSize: 18
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: 140
            radius: 12
            color: "#1a2129"
            border.color: "#2d3742"
            Column {
                anchors.fill: parent
                anchors.margins: 24
                spacing: 12
                Label {
                    text: stationStatus.cameraCount === 0 ? qsTr("No cameras yet") : qsTr("%n camera(s)", "", stationStatus.cameraCount)
                    color: window.textColor
                    font.pixelSize: 28
                }
                Label {
                    text: qsTr("The live camera wall appears here once cameras are connected.")
                    color: window.mutedColor
                    font.pixelSize: 18
                }
            }
        }

        GridLayout {
            columns: 2
            columnSpacing: 32
            rowSpacing: 14
            Label { text: qsTr("Media server"); color: window.mutedColor; font.pixelSize: 20 }
            Label {
                text: stationStatus.mediamtxState === "RUNNING" ? qsTr("running") : stationStatus.mediamtxMessage
                color: stationStatus.mediamtxState === "RUNNING" ? window.okColor : window.warnColor
                font.pixelSize: 20
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Label { text: qsTr("Remote API"); color: window.mutedColor; font.pixelSize: 20 }
            Label { text: stationStatus.apiUrl; color: window.textColor; font.pixelSize: 20 }
            Label { text: qsTr("API clients"); color: window.mutedColor; font.pixelSize: 20 }
            Label { text: stationStatus.clientCount; color: window.textColor; font.pixelSize: 20 }
            Label { text: qsTr("Storage"); color: window.mutedColor; font.pixelSize: 20 }
            Label { text: stationStatus.storageText; color: window.textColor; font.pixelSize: 20 }
        }
        Item { Layout.fillHeight: true }
    }
}
