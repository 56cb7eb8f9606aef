import QtQuick
import QtTest
import CameraStation

// The PIN pad collects digits (taps or keys), hides them, and hands them to
// the gate; a lockout disables the digits.
TestCase {
    id: tc
    name: "PinPad"
    when: windowShown
    visible: true   // TestCase is hidden by default: its children could not be clicked
    width: 400; height: 600

    QtObject {
        id: fakeGate
        property bool pinConfigured: true
        property int lockoutSeconds: 0
        property string message: ""
        property var tried: []
        function unlock(pin) { tried.push(pin); return pin === "2468" }
    }

    Component { id: padComponent; PinPad { gate: fakeGate } }
    SignalSpy { id: accepted; signalName: "accepted" }

    function init() { fakeGate.tried = []; fakeGate.lockoutSeconds = 0; accepted.clear() }

    function tapDigit(pad, d) {
        const b = findChild(pad, "digit" + d)
        verify(b, "digit " + d)
        mouseClick(b)
    }

    function test_tapsDigitsAndUnlocks() {
        const pad = createTemporaryObject(padComponent, tc)
        accepted.target = pad
        waitForRendering(pad)
        for (const d of "2468") tapDigit(pad, d)
        compare(pad.entered, "2468")
        mouseClick(findChild(pad, "ok"))
        compare(fakeGate.tried, ["2468"])
        compare(accepted.count, 1)
        compare(pad.entered, "")
    }

    function test_wrongPinClearsAndDoesNotAccept() {
        const pad = createTemporaryObject(padComponent, tc)
        accepted.target = pad
        for (const d of "1111") tapDigit(pad, d)
        mouseClick(findChild(pad, "ok"))
        compare(accepted.count, 0)
        compare(pad.entered, "")
    }

    function test_keyboardAndBackspace() {
        const pad = createTemporaryObject(padComponent, tc)
        accepted.target = pad
        pad.forceActiveFocus()
        keyClick(Qt.Key_2); keyClick(Qt.Key_4); keyClick(Qt.Key_9)
        keyClick(Qt.Key_Backspace)
        keyClick(Qt.Key_6); keyClick(Qt.Key_8)
        compare(pad.entered, "2468")
        keyClick(Qt.Key_Return)
        compare(accepted.count, 1)
    }

    function test_lockoutDisablesDigits() {
        const pad = createTemporaryObject(padComponent, tc)
        fakeGate.lockoutSeconds = 30
        verify(pad.locked)
        verify(!findChild(pad, "digit1").enabled)
        pad.press("1")
        compare(pad.entered, "")
    }

    function test_atMostTwelveDigits() {
        const pad = createTemporaryObject(padComponent, tc)
        for (let i = 0; i < 20; ++i) pad.press("1")
        compare(pad.entered.length, 12)
    }
}
