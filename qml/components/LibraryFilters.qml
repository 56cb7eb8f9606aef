import QtQuick
import QtQuick.Controls
import CameraStation

// Kind, camera and date filters of the library; writes them to the model
// (MediaListModel) which applies them. Holds no rules of its own.
// A Flow, so the controls wrap onto a second line on a 800 px screen.
Flow {
    id: filters
    required property var target          // kind, cameraFilter, dateFilter
    required property var cameras          // CameraListModel (count, get(i))
    spacing: Theme.spacing

    readonly property var dateOptions: [
        { value: "all", text: qsTr("Any date") },
        { value: "today", text: qsTr("Today") },
        { value: "yesterday", text: qsTr("Yesterday") },
        { value: "7d", text: qsTr("Last 7 days") },
        { value: "30d", text: qsTr("Last 30 days") }
    ]
    readonly property var cameraOptions: {
        const list = [{ value: "", text: qsTr("All cameras") }]
        for (let i = 0; i < cameras.count; ++i) {
            const c = cameras.get(i)
            list.push({ value: c.cameraId, text: c.name })
        }
        return list
    }
    function focusFilter() { cameraBox.forceActiveFocus(); cameraBox.popup.open() }

    Row {
        spacing: 0
        Repeater {
            model: [{ value: "recordings", text: qsTr("Recordings") }, { value: "snapshots", text: qsTr("Snapshots") }]
            IconButton {
                objectName: "kind_" + modelData.value
                text: modelData.text
                checkable: true
                checked: filters.target.kind === modelData.value
                tint: checked ? "#2b3f55" : Theme.surfaceRaised
                onClicked: filters.target.kind = modelData.value
            }
        }
    }
    ComboBox {
        id: cameraBox
        objectName: "cameraFilter"
        height: Theme.touchTarget
        width: 220
        model: filters.cameraOptions
        textRole: "text"
        valueRole: "value"
        font.pixelSize: Theme.fontSmall
        Accessible.name: qsTr("Filter by camera")
        currentIndex: Math.max(0, filters.cameraOptions.findIndex(o => o.value === filters.target.cameraFilter))
        onActivated: (i) => filters.target.cameraFilter = filters.cameraOptions[i].value
    }
    ComboBox {
        id: dateBox
        objectName: "dateFilter"
        height: Theme.touchTarget
        width: 180
        model: filters.dateOptions
        textRole: "text"
        valueRole: "value"
        font.pixelSize: Theme.fontSmall
        Accessible.name: qsTr("Filter by date")
        currentIndex: Math.max(0, filters.dateOptions.findIndex(o => o.value === filters.target.dateFilter))
        onActivated: (i) => filters.target.dateFilter = filters.dateOptions[i].value
    }
}
