import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import CameraStation

// Admin settings: network cameras, retention, API keys, lock and exit.
// Behind the admin PIN in kiosk mode.
Item {
    id: page
    required property var settings      // SettingsController
    required property var cameras       // CameraListModel
    required property var gate          // AdminGate
    required property var confirmDialog
    required property var toast
    required property var capture       // for copy to clipboard
    property bool kiosk: false
    signal exitRequested()

    component Section: Rectangle {
        default property alias content: inner.data
        property string title
        Layout.fillWidth: true
        implicitHeight: inner.implicitHeight + 64
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        Label { x: 16; y: 12; text: parent.title; color: Theme.text; font.pixelSize: Theme.fontTitle; font.bold: true }
        ColumnLayout { id: inner; x: 16; y: 52; width: parent.width - 32; spacing: 10 }
    }

    // Locked: the number pad, or why there is none.
    ColumnLayout {
        anchors.centerIn: parent
        visible: !page.gate.unlocked
        spacing: 20
        Icon { name: "lock"; width: 48; height: 48; Layout.alignment: Qt.AlignHCenter }
        Label {
            text: qsTr("Settings are for the administrator")
            color: Theme.text; font.pixelSize: Theme.fontTitle
            Layout.alignment: Qt.AlignHCenter
        }
        PinPad {
            id: pinPad
            gate: page.gate
            visible: page.gate.pinConfigured
            Layout.alignment: Qt.AlignHCenter
        }
        Label {
            visible: !page.gate.pinConfigured
            text: page.gate.message
            color: Theme.textMuted; font.pixelSize: Theme.fontBody
            wrapMode: Text.WordWrap; horizontalAlignment: Text.AlignHCenter
            Layout.preferredWidth: Math.min(page.width - 64, 600)
        }
    }

    Flickable {
        id: flick
        anchors.fill: parent
        visible: page.gate.unlocked
        contentHeight: column.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { width: 14 }
        // Any touch keeps an unlocked kiosk session open.
        TapHandler { onTapped: page.gate.touch() }

        ColumnLayout {
            id: column
            x: Theme.margin; y: Theme.margin
            width: flick.width - 2 * Theme.margin - 14
            spacing: Theme.spacing

            Section {
                title: qsTr("Network cameras")
                Repeater {
                    model: page.cameras
                    delegate: RowLayout {
                        id: camRow
                        required property string cameraId
                        required property string name
                        required property bool isNetwork
                        visible: isNetwork
                        Layout.fillWidth: true
                        spacing: 8
                        property bool editing: false
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 0
                            Label { visible: !camRow.editing; text: camRow.name + "  (" + camRow.cameraId + ")"; color: Theme.text; font.pixelSize: Theme.fontBody; elide: Text.ElideRight; Layout.fillWidth: true }
                            TextField {
                                id: renameField
                                visible: camRow.editing
                                text: camRow.name
                                font.pixelSize: Theme.fontBody
                                Layout.fillWidth: true; Layout.preferredHeight: Theme.touchTarget
                                Accessible.name: qsTr("New name for %1").arg(camRow.name)
                            }
                            Label { text: camRow.isNetwork ? page.settings.cameraUrlForDisplay(camRow.cameraId) : ""; color: Theme.textMuted; font.pixelSize: 14; elide: Text.ElideMiddle; Layout.fillWidth: true }
                        }
                        IconButton {
                            iconName: camRow.editing ? "check" : "edit"
                            text: camRow.editing ? qsTr("Save name") : qsTr("Rename %1").arg(camRow.name)
                            showText: false
                            onClicked: {
                                if (!camRow.editing) { camRow.editing = true; renameField.forceActiveFocus(); return }
                                const err = page.settings.renameCamera(camRow.cameraId, renameField.text)
                                if (err !== "") page.toast.show(err, "", "", true); else camRow.editing = false
                            }
                        }
                        IconButton {
                            iconName: "delete"; text: qsTr("Remove %1").arg(camRow.name); showText: false; tint: "#5a1d1d"
                            onClicked: page.confirmDialog.ask(qsTr("Remove %1?").arg(camRow.name),
                                                              qsTr("The station stops showing and recording this camera. Its recordings stay in the library."),
                                                              qsTr("Remove"), function() {
                                                                  const err = page.settings.removeCamera(camRow.cameraId)
                                                                  if (err !== "") page.toast.show(err, "", "", true)
                                                              })
                        }
                    }
                }
                Label {
                    text: qsTr("Add a network camera")
                    color: Theme.text; font.pixelSize: Theme.fontBody; font.bold: true
                    Layout.topMargin: 8
                }
                Field {
                    id: urlField
                    objectName: "cameraUrlField"
                    label: qsTr("Stream address")
                    placeholder: "rtsp://192.168.1.20:554/stream1"
                    inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase
                    check: (t) => page.settings.validateCameraUrl(t)
                    next: nameField
                }
                Field {
                    id: nameField
                    objectName: "cameraNameField"
                    label: qsTr("Name")
                    placeholder: qsTr("Front door")
                    check: (t) => page.settings.validateCameraName(t)
                    onSubmitted: addCameraButton.clicked()
                }
                IconButton {
                    id: addCameraButton
                    objectName: "addCameraButton"
                    iconName: "add"; text: qsTr("Add camera"); tint: "#2b3f55"
                    onClicked: {
                        const a = urlField.validate(), b = nameField.validate()
                        if (!a || !b) return
                        const err = page.settings.addCamera(urlField.text, nameField.text)
                        if (err !== "") { urlField.error = err; return }
                        page.toast.show(qsTr("%1 added. It appears on the wall when it answers.").arg(nameField.text))
                        urlField.clear(); nameField.clear()
                    }
                }
            }

            Section {
                id: retention
                title: qsTr("Keeping recordings")
                property string type: page.settings.retention.enabled ? page.settings.retention.type : "manual"
                Label {
                    text: qsTr("Old files are deleted automatically by age or by total size; manual keeps everything.")
                    color: Theme.textMuted; font.pixelSize: Theme.fontSmall; wrapMode: Text.WordWrap; Layout.fillWidth: true
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: 8
                    Repeater {
                        model: [{ v: "manual", t: qsTr("Manual") }, { v: "age", t: qsTr("By age") }, { v: "size", t: qsTr("By size") }]
                        IconButton {
                            text: modelData.t
                            checkable: true
                            checked: retention.type === modelData.v
                            tint: checked ? "#2b3f55" : Theme.surfaceRaised
                            onClicked: retention.type = modelData.v
                        }
                    }
                }
                Field {
                    id: daysField
                    visible: retention.type === "age"
                    label: qsTr("Keep for (days)")
                    text: page.settings.retention.maxAgeDays || "30"
                    inputMethodHints: Qt.ImhDigitsOnly
                }
                Field {
                    id: sizeField
                    visible: retention.type === "size"
                    label: qsTr("Keep at most (GB)")
                    text: page.settings.retention.maxSizeGb || "100"
                    inputMethodHints: Qt.ImhFormattedNumbersOnly
                }
                IconButton {
                    iconName: "check"; text: qsTr("Save"); tint: "#2b3f55"
                    onClicked: {
                        // Choosing By age or By size is what turns automatic deletion on; Manual turns it off.
                        const err = page.settings.setRetention(retention.type, retention.type !== "manual", daysField.text, sizeField.text)
                        const target = retention.type === "size" ? sizeField : daysField
                        target.error = err
                        if (err === "") page.toast.show(qsTr("Retention saved"))
                    }
                }
            }

            Section {
                title: qsTr("API keys")
                Label {
                    text: qsTr("Keys let other programs use this station's API. A new key is shown once: copy it then.")
                    color: Theme.textMuted; font.pixelSize: Theme.fontSmall; wrapMode: Text.WordWrap; Layout.fillWidth: true
                }
                Repeater {
                    model: page.settings.apiKeys
                    delegate: RowLayout {
                        required property string keyId
                        required property string name
                        required property string roleName
                        required property string stateText
                        required property string expiresText
                        required property bool revoked
                        Layout.fillWidth: true
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 0
                            Label { text: name + "  ·  " + roleName; color: revoked ? Theme.textMuted : Theme.text; font.pixelSize: Theme.fontBody; elide: Text.ElideRight; Layout.fillWidth: true }
                            Label { text: keyId + "  ·  " + stateText + "  ·  " + qsTr("expires %1").arg(expiresText); color: Theme.textMuted; font.pixelSize: 14; Layout.fillWidth: true; elide: Text.ElideRight }
                        }
                        IconButton {
                            visible: !revoked
                            text: qsTr("Revoke"); tint: "#5a1d1d"
                            Accessible.name: qsTr("Revoke key %1").arg(name)
                            onClicked: page.confirmDialog.ask(qsTr("Revoke %1?").arg(name), qsTr("Programs using this key lose access at once."), qsTr("Revoke"),
                                                              function() { const e = page.settings.revokeApiKey(keyId); if (e !== "") page.toast.show(e, "", "", true) })
                        }
                    }
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: 10
                    Field { id: keyName; label: qsTr("Who uses it"); placeholder: qsTr("Control room"); next: keyDays }
                    ColumnLayout {
                        spacing: 4
                        Label { text: qsTr("Role"); color: Theme.textMuted; font.pixelSize: Theme.fontSmall }
                        ComboBox {
                            id: keyRole
                            model: ["viewer", "operator", "admin"]
                            currentIndex: 0
                            Layout.preferredHeight: Theme.touchTarget
                            Accessible.name: qsTr("Role of the new key")
                        }
                    }
                    Field { id: keyDays; label: qsTr("Valid for (days, empty: always)"); inputMethodHints: Qt.ImhDigitsOnly; Layout.preferredWidth: 200; onSubmitted: createKeyButton.clicked() }
                }
                IconButton {
                    id: createKeyButton
                    iconName: "key"; text: qsTr("Create key"); tint: "#2b3f55"
                    onClicked: {
                        const r = page.settings.createApiKey(keyName.text, keyRole.currentText, keyDays.text)
                        keyName.error = r.error
                        newKey.text = r.key
                        if (r.error === "") keyName.clear()
                    }
                }
                RowLayout {
                    visible: newKey.text !== ""
                    Layout.fillWidth: true
                    TextEdit {
                        id: newKey
                        readOnly: true; selectByMouse: true
                        color: Theme.ok; font.family: "monospace"; font.pixelSize: Theme.fontSmall
                        wrapMode: TextEdit.WrapAnywhere; Layout.fillWidth: true
                        Accessible.name: qsTr("New API key")
                    }
                    IconButton { iconName: "copy"; text: qsTr("Copy key"); onClicked: { page.capture.copyToClipboard(newKey.text); page.toast.show(qsTr("Key copied")) } }
                }
            }

            Section {
                title: page.kiosk ? qsTr("Kiosk") : qsTr("Application")
                RowLayout {
                    spacing: 10
                    IconButton { visible: page.kiosk; iconName: "lock"; text: qsTr("Lock settings"); onClicked: page.gate.lock() }
                    IconButton {
                        iconName: "exit"; text: qsTr("Exit Camera Station"); tint: "#5a1d1d"
                        onClicked: page.confirmDialog.ask(qsTr("Exit Camera Station?"),
                                                          qsTr("Live view stops. Recordings in progress are finished and saved."),
                                                          qsTr("Exit"), function() { page.exitRequested() }, "exit")
                    }
                }
            }
        }
    }
}
