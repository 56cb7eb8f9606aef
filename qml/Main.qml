import QtQuick
import QtQuick.Controls
import QtQuick.Controls.Material
import QtQuick.Layouts
import QtQuick.Window
import Qt.labs.settings
import CameraStation

// The shell: navigation rail, the four pages, the camera view on top, and
// the shared dialogs. Kiosk mode: fullscreen, frameless, cursor hidden when
// idle, exit and settings behind the admin PIN.
ApplicationWindow {
    id: window
    // Kiosk: the screen's size too, since without a window manager (cage,
    // bare X) the FullScreen request alone leaves the window at its default size.
    // Desktop: 1280x800, or less, inside the screen's available area.
    width: kioskMode ? Screen.width : Math.min(1280, Screen.desktopAvailableWidth)
    height: kioskMode ? Screen.height : Math.min(800, Screen.desktopAvailableHeight)
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: stationStatus.demoNotice ? qsTr("Camera Station — %1").arg(stationStatus.demoNotice) : qsTr("Camera Station")
    color: Theme.background
    flags: kioskMode ? (Qt.Window | Qt.FramelessWindowHint) : Qt.Window
    visibility: kioskMode ? Window.FullScreen : Window.AutomaticVisibility

    Material.theme: Material.Dark
    Material.accent: Theme.accent
    Material.background: Theme.surface
    font.pixelSize: Theme.fontBody

    property int page: 0               // 0 live, 1 library, 2 status, 3 settings
    property bool exiting: false
    readonly property bool cameraOpen: cameraPage.visible

    // Desktop: remember where the window was. Never applied in kiosk mode,
    // where a stored desktop size would override the screen's.
    Settings {
        id: geometry
        category: "window"
        property int x: -1
        property int y: -1
        property int width: 1280
        property int height: 800
    }
    Component.onCompleted: {
        if (kioskMode || geometry.x < 0) return
        // A stored size never larger than the screen now has room for, nor off it.
        window.width = Math.min(geometry.width, Screen.desktopAvailableWidth)
        window.height = Math.min(geometry.height, Screen.desktopAvailableHeight)
        window.x = Math.max(0, Math.min(geometry.x, Screen.desktopAvailableWidth - window.width))
        window.y = Math.max(0, Math.min(geometry.y, Screen.desktopAvailableHeight - window.height))
    }
    // Leaving the settings page locks them again (kiosk); no 5-minute window behind the operator's back.
    property int previousPage: 0
    onPageChanged: {
        if (previousPage === 3 && page !== 3 && kioskMode) adminGate.lock()
        previousPage = page
    }

    onClosing: (close) => {
        // A kiosk closes only through the PIN-guarded exit.
        if (kioskMode && !exiting) { close.accepted = false; return }
        if (!kioskMode && window.visibility === Window.Windowed) {
            geometry.x = window.x; geometry.y = window.y
            geometry.width = window.width; geometry.height = window.height
        }
    }

    function openCamera(i) {
        cameraPage.currentIndex = i
        cameraPage.visible = true
        cameraPage.forceActiveFocus()
    }
    function closeCamera() {
        cameraPage.visible = false
        wall.forceActiveFocus()
    }
    function go(i) {
        if (i === 3 && kioskMode && !adminGate.unlocked) {
            pinDialog.ask(qsTr("Enter the admin PIN for settings"), function() { window.page = 3 })
            if (!adminGate.pinConfigured) window.page = 3   // shows why it stays locked
            return
        }
        closeCamera()
        page = i
    }
    function toggleFullscreen() {
        if (kioskMode) return
        window.visibility = window.visibility === Window.FullScreen ? Window.Windowed : Window.FullScreen
    }
    function exitApp() { exiting = true; Qt.quit() }

    Shortcut { sequence: "F"; enabled: !kioskMode; onActivated: window.toggleFullscreen(); context: Qt.ApplicationShortcut }
    Shortcut { sequence: "Ctrl+F"; onActivated: { window.go(1); libraryPage.focusFilter() } }
    Shortcut { sequence: "Ctrl+1"; onActivated: window.go(0) }
    Shortcut { sequence: "Ctrl+2"; onActivated: window.go(1) }
    Shortcut { sequence: "Ctrl+3"; onActivated: window.go(2) }
    Shortcut { sequence: "Ctrl+4"; onActivated: window.go(3) }

    // The on-screen keyboard lifts the page; the focused field scrolls into
    // the space left above it.
    readonly property real keyboardHeight: keyboard.item ? keyboard.item.occupied : 0
    FocusReveal { id: focusReveal }
    function revealFocus() {
        if (keyboardHeight > 0 && window.activeFocusItem) focusReveal.reveal(window.activeFocusItem)
    }
    onActiveFocusItemChanged: revealTimer.restart()
    onKeyboardHeightChanged: revealTimer.restart()
    Timer { id: revealTimer; interval: 200; onTriggered: window.revealFocus() }

    RowLayout {
        anchors.fill: parent
        anchors.bottomMargin: window.keyboardHeight
        spacing: 0

        // Navigation rail: big targets on the left keep the full height for video.
        Rectangle {
            Layout.fillHeight: true
            Layout.preferredWidth: Theme.railWidth
            color: Theme.surface
            ColumnLayout {
                anchors.fill: parent
                anchors.topMargin: 8; anchors.bottomMargin: 8
                spacing: 4
                Repeater {
                    model: [
                        { icon: "live", text: qsTr("Live") },
                        { icon: "library", text: qsTr("Library") },
                        { icon: "status", text: qsTr("Status") },
                        { icon: kioskMode && !adminGate.unlocked ? "lock" : "settings", text: qsTr("Settings") }
                    ]
                    IconButton {
                        objectName: "nav" + index
                        Layout.fillWidth: true
                        Layout.leftMargin: 6; Layout.rightMargin: 6
                        Layout.preferredHeight: 76
                        vertical: true
                        iconName: modelData.icon
                        text: modelData.text
                        fontSize: 14
                        checkable: false
                        checked: window.page === index && !window.cameraOpen
                        flat: true
                        tint: "#2b3f55"
                        Accessible.name: qsTr("Show %1").arg(modelData.text)
                        onClicked: window.go(index)
                    }
                }
                Item { Layout.fillHeight: true }
                // Cameras with a live picture at a glance (from the pictures, not the registry).
                Label {
                    objectName: "liveCount"
                    Layout.alignment: Qt.AlignHCenter
                    text: liveFeeds.liveCount + "/" + cameraModel.count
                    color: liveFeeds.liveCount === cameraModel.count ? Theme.ok : Theme.bad
                    font.pixelSize: Theme.fontSmall
                    font.bold: liveFeeds.liveCount !== cameraModel.count
                    Accessible.name: qsTr("%1 of %2 cameras live").arg(liveFeeds.liveCount).arg(cameraModel.count)
                }
            }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: window.page

            WallPage {
                id: wall
                objectName: "wallPage"
                cameras: cameraModel
                // Decoding every tile under the camera view would waste the CPU.
                videoActive: !window.cameraOpen && window.page === 0
                focus: window.page === 0
                onOpenCamera: (i) => window.openCamera(i)
            }
            LibraryPage {
                id: libraryPage
                objectName: "libraryPage"
                files: libraryModel
                cameras: cameraModel
                library: libraryController
                gate: adminGate
                pinDialog: pinDialog
                confirmDialog: confirmDialog
                toast: toast
                kiosk: kioskMode
            }
            StatusPage {
                objectName: "statusPage"
                status: stationStatus
                kiosk: kioskMode
            }
            SettingsPage {
                objectName: "settingsPage"
                settings: stationSettings
                cameras: cameraModel
                gate: adminGate
                confirmDialog: confirmDialog
                toast: toast
                capture: captureController
                kiosk: kioskMode
                onExitRequested: window.exitApp()
            }
        }
    }

    CameraPage {
        id: cameraPage
        objectName: "cameraPage"
        anchors.fill: parent
        visible: false
        cameras: cameraModel
        capture: captureController
        kiosk: kioskMode
        onClosed: window.closeCamera()
        opacity: visible ? 1 : 0
        Behavior on opacity { NumberAnimation { duration: Theme.normal } }
    }

    Connections {
        target: captureController
        function onSnapshotTaken(cameraId, filename, fileUrl) {
            toast.show(qsTr("Snapshot saved"), fileUrl, qsTr("Open library"))
            toast.action = function() { libraryModel.kind = "snapshots"; window.go(1) }
        }
        function onRecordingStarted(cameraId) { toast.show(qsTr("Recording started")) }
        function onRecordingStopped(cameraId, filename, seconds) {
            toast.show(qsTr("Recording saved (%1)").arg(Theme.duration(seconds)), "", qsTr("Open library"))
            toast.action = function() { libraryModel.kind = "recordings"; window.go(1) }
        }
        function onFailed(cameraId, message) { toast.show(message, "", "", true) }
    }

    Toast {
        id: toast
        objectName: "toast"
        property var action: null
        z: 100
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: 96   // above the viewer's transport bar
        onActionTriggered: if (action) action()
    }
    PinDialog { id: pinDialog; gate: adminGate }
    ConfirmDialog { id: confirmDialog }

    Loader {
        id: keyboard
        active: kioskMode
        anchors.fill: parent
        z: 1000
        source: "components/KeyboardPanel.qml"
    }

    // Kiosk: the pointer disappears after 3 s without movement.
    MouseArea {
        anchors.fill: parent
        z: 2000
        enabled: kioskMode
        visible: kioskMode
        acceptedButtons: Qt.NoButton
        hoverEnabled: true
        property bool idle: false
        cursorShape: idle ? Qt.BlankCursor : Qt.ArrowCursor
        onPositionChanged: { idle = false; idleTimer.restart() }
        Timer { id: idleTimer; interval: 3000; running: kioskMode; onTriggered: parent.idle = true }
    }
}
