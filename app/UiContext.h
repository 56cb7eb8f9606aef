#pragma once

class QQmlApplicationEngine;

namespace station::core { class Station; }

namespace station::app {

// Puts the UI's models and controllers on the engine (the same set for the
// app and the end-to-end test), sets the style and the module import path.
// Objects are owned by the engine. Load qrc:/CameraStation/Main.qml afterwards.
void installUi(QQmlApplicationEngine &engine, core::Station &station, bool kiosk);

} // namespace station::app
