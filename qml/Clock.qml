pragma Singleton
import QtQuick

// One shared second tick for REC badges and countdowns (not one timer per tile).
QtObject {
    property date now: new Date()
    property Timer ticker: Timer {
        interval: 1000; running: true; repeat: true
        onTriggered: now = new Date()
    }
    function secondsSince(d) {
        return d && !isNaN(d.getTime()) ? Math.max(0, Math.floor((now.getTime() - d.getTime()) / 1000)) : 0
    }
}
