import QtQuick
import QtTest
import CameraStation

// The library filter bar writes kind, camera and date to its target (the
// MediaListModel in the app) and shows the target's current values.
TestCase {
    id: tc
    name: "LibraryFilters"
    when: windowShown
    visible: true   // TestCase is hidden by default: its children could not be clicked
    width: 1000; height: 400

    QtObject {
        id: fakeTarget
        property string kind: "recordings"
        property string cameraFilter: ""
        property string dateFilter: "all"
    }
    ListModel {
        id: fakeCameras
        ListElement { cameraId: "camera0"; name: "Front door" }
        ListElement { cameraId: "camera1"; name: "Yard" }
    }

    Component { id: filtersComponent; LibraryFilters { target: fakeTarget; cameras: fakeCameras } }

    function init() { fakeTarget.kind = "recordings"; fakeTarget.cameraFilter = ""; fakeTarget.dateFilter = "all" }

    function test_kindButtons() {
        const f = createTemporaryObject(filtersComponent, tc)
        waitForRendering(f)
        mouseClick(findChild(f, "kind_snapshots"))
        compare(fakeTarget.kind, "snapshots")
        verify(findChild(f, "kind_snapshots").checked)
        mouseClick(findChild(f, "kind_recordings"))
        compare(fakeTarget.kind, "recordings")
    }

    function test_cameraOptionsComeFromTheModel() {
        const f = createTemporaryObject(filtersComponent, tc)
        compare(f.cameraOptions.length, 3)
        compare(f.cameraOptions[0].value, "")
        compare(f.cameraOptions[2].text, "Yard")
        const box = findChild(f, "cameraFilter")
        box.activated(2)
        compare(fakeTarget.cameraFilter, "camera1")
        fakeTarget.cameraFilter = "camera0"
        compare(box.currentIndex, 1)
    }

    function test_datePresets() {
        const f = createTemporaryObject(filtersComponent, tc)
        const box = findChild(f, "dateFilter")
        const values = f.dateOptions.map(o => o.value)
        compare(values, ["all", "today", "yesterday", "7d", "30d"])
        box.activated(3)
        compare(fakeTarget.dateFilter, "7d")
        fakeTarget.dateFilter = "today"
        compare(box.currentIndex, 1)
    }
}
