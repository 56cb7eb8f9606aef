import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs
import CameraStation

// Recordings and snapshots, newest first, with filters, thumbnails, the
// viewer, export and (admin) delete, and the disk use.
FocusScope {
    id: page
    required property var files            // MediaListModel
    required property var cameras          // CameraListModel
    required property var library          // LibraryController
    required property var gate             // AdminGate
    required property var pinDialog
    required property var confirmDialog
    required property var toast
    property bool kiosk: false
    readonly property alias viewerOpen: viewer.visible

    function open(i) {
        if (i < 0 || i >= files.count) return
        grid.currentIndex = i
        viewer.entry = files.get(i)
        viewer.visible = true
        viewer.forceActiveFocus()
    }
    function step(d) { open(Math.max(0, Math.min(files.count - 1, grid.currentIndex + d))) }
    function currentEntry() { return viewer.visible ? viewer.entry : files.get(grid.currentIndex) }
    function focusFilter() { filters.focusFilter() }
    // Cards name the camera as the wall and the filter do, not by its ID.
    function cameraName(id) {
        const row = cameras.indexOf(id)
        return row >= 0 ? cameras.get(row).name : id
    }

    function askDelete() {
        const e = currentEntry()
        if (!e || !e.filename) return
        pinDialog.ask(qsTr("Enter the admin PIN to delete"), function() {
            confirmDialog.ask(qsTr("Delete this %1?").arg(e.isVideo ? qsTr("recording") : qsTr("snapshot")),
                              qsTr("%1 (%2) will be deleted for good.").arg(e.filename).arg(e.sizeText), qsTr("Delete"),
                              function() {
                                  const err = page.library.remove(page.files.kind, e.filename)
                                  if (err !== "") { page.toast.show(err, "", "", true); return }
                                  page.toast.show(qsTr("Deleted %1").arg(e.filename))
                                  if (page.files.count === 0) viewer.visible = false
                                  else if (viewer.visible) page.open(Math.min(grid.currentIndex, page.files.count - 1))
                              })
        })
    }
    function askExport() {
        const e = currentEntry()
        if (!e || !e.filename) return
        if (!page.kiosk) {
            // Starts in the user's Videos or Pictures folder, named after the file.
            const folder = page.library.exportFolder(page.files.kind)
            saveDialog.currentFolder = folder
            saveDialog.currentFile = folder + "/" + e.filename
            saveDialog.entry = e
            saveDialog.open()
        } else if (page.library.removableDrives.length > 0 && !page.library.exporting) {
            page.library.exportFile(page.files.kind, e.filename, page.library.removableDrives[0])
        }
    }

    Keys.onPressed: (event) => {
        if (event.key === Qt.Key_Delete) { askDelete(); event.accepted = true }
        else if (event.key === Qt.Key_F && (event.modifiers & Qt.ControlModifier)) { focusFilter(); event.accepted = true }
        else if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter) && grid.currentIndex >= 0) { open(grid.currentIndex); event.accepted = true }
    }

    FileDialog {
        id: saveDialog
        property var entry
        title: qsTr("Export %1").arg(entry ? entry.filename : "")
        fileMode: FileDialog.SaveFile
        acceptLabel: qsTr("Save")
        onAccepted: page.library.exportFile(page.files.kind, entry.filename, selectedFile.toString())
    }
    Connections {
        target: page.library
        function onExportFinished(ok, message) { page.toast.show(message, "", "", !ok) }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing

        LibraryFilters {
            id: filters
            Layout.fillWidth: true
            target: page.files
            cameras: page.cameras
        }

        // Storage line and the low-space warning.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            ProgressBar {
                Layout.preferredWidth: 160
                from: 0; to: 100
                value: page.library.usagePercent
                Accessible.name: qsTr("Disk use %1 percent").arg(Math.round(page.library.usagePercent))
            }
            Label {
                Layout.fillWidth: true
                text: page.library.storageText
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
        Rectangle {
            visible: page.library.lowSpace
            Layout.fillWidth: true
            implicitHeight: warnRow.implicitHeight + 20
            radius: Theme.radius
            color: "#3d2e0b"
            border.color: Theme.warn
            RowLayout {
                id: warnRow
                x: 10; y: 10; width: parent.width - 20
                Icon { name: "warning" }
                Label { text: page.library.lowSpaceText; color: Theme.text; font.pixelSize: Theme.fontSmall; wrapMode: Text.WordWrap; Layout.fillWidth: true }
            }
        }

        GridView {
            id: grid
            objectName: "libraryGrid"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: page.files
            focus: true
            keyNavigationEnabled: true
            readonly property int columnsWanted: Math.max(2, Math.floor(width / 300))
            cellWidth: Math.floor(width / columnsWanted)
            cellHeight: cellWidth * 9 / 16 + 64
            ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded; width: 14 }
            highlightFollowsCurrentItem: false

            delegate: Item {
                id: card
                required property int index
                required property string filename
                required property string thumbnail
                required property string createdText
                required property string sizeText
                required property string durationText
                required property string device
                required property bool inProgress
                required property bool isVideo
                width: grid.cellWidth; height: grid.cellHeight
                Accessible.role: Accessible.Button
                Accessible.name: qsTr("%1, %2, %3").arg(isVideo ? qsTr("Recording") : qsTr("Snapshot")).arg(createdText).arg(page.cameraName(device))

                Rectangle {
                    anchors.fill: parent; anchors.margins: 6
                    radius: Theme.radius
                    color: tap.pressed ? Theme.surfaceRaised : Theme.surface
                    border.color: grid.currentIndex === card.index && grid.activeFocus ? Theme.accent : Theme.border
                    border.width: grid.currentIndex === card.index && grid.activeFocus ? 3 : 1
                    clip: true

                    Rectangle {
                        id: thumbBox
                        anchors.left: parent.left; anchors.right: parent.right; anchors.top: parent.top
                        anchors.margins: 1
                        height: width * 9 / 16
                        radius: Theme.radius
                        color: "#05080a"
                        Image {
                            anchors.fill: parent
                            source: card.thumbnail
                            fillMode: Image.PreserveAspectCrop
                            asynchronous: true
                            visible: status === Image.Ready
                            sourceSize.width: 320
                        }
                        BusyIndicator { anchors.centerIn: parent; running: card.thumbnail === ""; width: 36; height: 36 }
                        Rectangle {
                            visible: card.durationText !== "" || card.inProgress
                            anchors.right: parent.right; anchors.bottom: parent.bottom; anchors.margins: 8
                            height: 26; radius: 6; width: durLabel.implicitWidth + 14
                            color: card.inProgress ? Theme.record : "#cc000000"
                            Label { id: durLabel; anchors.centerIn: parent; text: card.inProgress ? qsTr("REC") : card.durationText; color: "white"; font.pixelSize: 14; font.bold: true }
                        }
                        Icon { visible: card.isVideo; name: "play"; anchors.centerIn: parent; width: 40; height: 40; opacity: 0.8 }
                    }
                    Column {
                        anchors.left: parent.left; anchors.right: parent.right; anchors.top: thumbBox.bottom
                        anchors.margins: 10
                        spacing: 2
                        Label { width: parent.width; text: card.createdText; color: Theme.text; font.pixelSize: Theme.fontSmall; font.bold: true; elide: Text.ElideRight }
                        Label { width: parent.width; text: page.cameraName(card.device) + "  ·  " + card.sizeText; color: Theme.textMuted; font.pixelSize: 14; elide: Text.ElideRight }
                    }
                    TapHandler { id: tap; onTapped: page.open(card.index) }
                }
            }
        }
    }

    Column {
        anchors.centerIn: parent
        visible: page.files.count === 0
        spacing: 12
        width: Math.min(parent.width - 64, 560)
        Label {
            width: parent.width; horizontalAlignment: Text.AlignHCenter
            text: page.files.totalCount === 0 ? (page.files.kind === "snapshots" ? qsTr("No snapshots yet") : qsTr("No recordings yet"))
                                              : qsTr("Nothing matches these filters")
            color: Theme.text; font.pixelSize: Theme.fontTitle
        }
        Label {
            width: parent.width; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.WordWrap
            text: page.files.totalCount === 0 ? qsTr("Open a camera and tap Snapshot or Record.") : qsTr("Choose All cameras and Any date to see everything.")
            color: Theme.textMuted; font.pixelSize: Theme.fontBody
        }
    }

    MediaViewer {
        id: viewer
        objectName: "mediaViewer"
        anchors.fill: parent
        visible: false
        canDelete: !page.gate.kiosk || page.gate.pinConfigured
        onCloseRequested: { visible = false; grid.forceActiveFocus() }
        onStepRequested: (d) => page.step(d)
        onDeleteRequested: page.askDelete()
        onExportRequested: page.askExport()
        // Kiosk: export goes to a USB drive, so only while one is mounted.
        canExport: !page.kiosk || (page.library.removableDrives.length > 0 && !page.library.exporting)
        exportText: page.kiosk ? (page.library.removableDrives.length > 0 ? qsTr("Export to USB") : qsTr("Insert a USB drive")) : qsTr("Export")
        exportProgress: page.library.exporting ? page.library.exportProgress : -1
    }
}
