pragma Singleton
import QtQuick

// The one dark theme: colours, spacing and a type scale legible at 2 m.
QtObject {
    readonly property color background: "#0e1216"
    readonly property color surface: "#171d23"
    readonly property color surfaceRaised: "#212a33"
    readonly property color border: "#2f3b47"
    readonly property color text: "#e8edf2"
    readonly property color textMuted: "#9aa7b4"
    readonly property color accent: "#4aa3ff"
    readonly property color ok: "#3fb950"
    readonly property color warn: "#d29922"
    readonly property color bad: "#f85149"
    readonly property color record: "#f85149"
    readonly property color scrim: "#cc000000"

    readonly property int spacing: 12
    readonly property int margin: 16
    readonly property int radius: 10
    readonly property int touchTarget: 56     // >= 48 px with room for thick fingers
    readonly property int iconSize: 28
    readonly property int railWidth: 88

    readonly property int fontSmall: 16
    readonly property int fontBody: 20
    readonly property int fontTitle: 26
    readonly property int fontDisplay: 36

    readonly property int fast: 120           // ms: feedback
    readonly property int normal: 200         // ms: page transitions

    function icon(name) { return "qrc:/CameraStation/icons/" + name + ".svg" }

    function statusColor(s) {
        return s === "live" || s === "healthy" || s === "running" ? ok
             : s === "connecting" || s === "degraded" || s === "starting" ? warn : bad
    }

    // 0:07, 12:34, 1:02:03
    function duration(seconds) {
        if (seconds < 0 || isNaN(seconds)) return ""
        seconds = Math.floor(seconds)
        const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60
        const ss = (s < 10 ? "0" : "") + s
        return h > 0 ? h + ":" + (m < 10 ? "0" : "") + m + ":" + ss : m + ":" + ss
    }
}
