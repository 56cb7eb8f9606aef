#pragma once

#include <QString>
#include <QStringList>

namespace station::media {

// Why a capture verb (snapshot, recording, streaming) was refused, in the
// service's own terms; the RPC layer maps it to the contract's error codes
// and the UI to a sentence.
struct CaptureError {
    enum class Kind { None, NotFound, InvalidState, Unsupported, Dependency };
    Kind kind = Kind::None;
    QString state;              // InvalidState: current state
    QStringList allowedStates;  // InvalidState
    QString feature;            // Unsupported
    QString dependency;         // Dependency: mediamtx, ffmpeg, camera, storage, network
    QString detail;             // a short sentence for people

    explicit operator bool() const { return kind != Kind::None; }
    static CaptureError notFound() { return {Kind::NotFound, {}, {}, {}, {}, QStringLiteral("unknown camera")}; }
    static CaptureError invalidState(const QString &state, const QStringList &allowed, const QString &detail = {})
    {
        return {Kind::InvalidState, state, allowed, {}, {}, detail};
    }
    static CaptureError unsupported(const QString &feature) { return {Kind::Unsupported, {}, {}, feature, {}, feature}; }
    static CaptureError dependencyFailed(const QString &dependency, const QString &detail)
    {
        return {Kind::Dependency, {}, {}, {}, dependency, detail};
    }
};

} // namespace station::media
