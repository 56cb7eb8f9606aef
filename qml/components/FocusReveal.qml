import QtQuick

// Keeps an item in view inside the Flickable that holds it: used to keep the
// field being edited above the on-screen keyboard (the window lifts the page,
// which shortens the Flickable, then asks for the focused item to be shown).
QtObject {
    property int margin: 24

    // The nearest ancestor that scrolls (Flickable, ListView, GridView), or null.
    function flickableOf(item) {
        let f = item ? item.parent : null
        while (f && (f.contentY === undefined || f.contentHeight === undefined || typeof f.flick !== "function"))
            f = f.parent
        return f
    }

    // Scrolls as little as needed; returns true when it moved.
    function reveal(item) {
        const f = flickableOf(item)
        if (!f) return false
        const top = item.mapToItem(f.contentItem, 0, 0).y
        const maxY = Math.max(0, f.contentHeight - f.height)
        let y = f.contentY
        if (top - margin < y) y = Math.max(0, top - margin)
        else if (top + item.height + margin > y + f.height) y = Math.min(maxY, top + item.height + margin - f.height)
        if (y === f.contentY) return false
        f.contentY = y
        return true
    }
}
