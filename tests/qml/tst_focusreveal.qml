import QtQuick
import QtQuick.Controls
import QtTest
import CameraStation

// The field being edited scrolls into what is left of the page above the
// on-screen keyboard, scrolling as little as needed, in both directions.
TestCase {
    id: tc
    name: "FocusReveal"
    when: windowShown
    visible: true
    width: 400; height: 600

    FocusReveal { id: reveal; margin: 24 }

    Flickable {
        id: flick
        width: 400; height: 600
        contentHeight: column.height
        Column {
            id: column
            width: 400
            Repeater {
                id: fields
                model: 12
                TextField { width: 400; height: 60; objectName: "field" + index }
            }
        }
    }

    function init() { flick.height = 600; flick.contentY = 0 }

    function test_fieldUnderTheKeyboardScrollsUp() {
        flick.height = 260                      // the keyboard took the lower part
        const f = fields.itemAt(7)              // y 420..480: hidden under it
        verify(reveal.reveal(f))
        const top = f.mapToItem(flick, 0, 0).y
        verify(top >= 0 && top + f.height <= flick.height, "field at " + top)
        compare(flick.contentY, 420 + 60 + 24 - 260)
    }

    function test_visibleFieldStays() {
        flick.height = 260
        verify(!reveal.reveal(fields.itemAt(1)))
        compare(flick.contentY, 0)
    }

    function test_fieldAboveScrollsDown() {
        flick.height = 260
        flick.contentY = 400
        verify(reveal.reveal(fields.itemAt(2)))   // y 120
        compare(flick.contentY, 120 - 24)
    }

    function test_lastFieldStopsAtTheEnd() {
        flick.height = 260
        verify(reveal.reveal(fields.itemAt(11)))
        compare(flick.contentY, flick.contentHeight - flick.height)
    }

    function test_noScrollingParent() {
        verify(!reveal.reveal(tc))
    }
}
