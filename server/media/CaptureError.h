#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace station::media {

// Why a capture verb (snapshot, recording, streaming) was refused, in the
// service's own terms; the RPC layer maps it to the contract's error codes
// (api/CaptureErrors.h) and the UI to a sentence (CaptureController).
struct CaptureError {
    enum class Kind { None, NotFound, InvalidState, Unsupported, Dependency, InvalidInput };
    enum class Dependency { MediaMtx, Camera, Storage };  // what failed, for Kind::Dependency
    Kind kind = Kind::None;
    QString state;              // InvalidState: current state
    QStringList allowedStates;  // InvalidState
    QString feature;            // Unsupported
    Dependency dependency{};    // Dependency: which one
    QString detail;             // a short sentence for people (InvalidInput: the rule's hint)
    QString input;              // InvalidInput: which input (the parameter's name on the wire)
    QString rule;               // InvalidInput: the rule broken (min, max, enum, extension, ...)
    std::optional<qint64> limit;  // InvalidInput: the bound of a min/max/max_bytes rule

    explicit operator bool() const { return kind != Kind::None; }
    static CaptureError notFound() { return {Kind::NotFound, {}, {}, {}, {}, QStringLiteral("unknown camera"), {}, {}, {}}; }
    static CaptureError invalidState(const QString &state, const QStringList &allowed, const QString &detail = {})
    {
        return {Kind::InvalidState, state, allowed, {}, {}, detail, {}, {}, {}};
    }
    static CaptureError unsupported(const QString &feature) { return {Kind::Unsupported, {}, {}, feature, {}, feature, {}, {}, {}}; }
    static CaptureError dependencyFailed(Dependency dependency, const QString &detail)
    {
        return {Kind::Dependency, {}, {}, {}, dependency, detail, {}, {}, {}};
    }
    static CaptureError invalidInput(const QString &input, const QString &rule, const QString &hint,
                                     std::optional<qint64> limit = std::nullopt)
    {
        return {Kind::InvalidInput, {}, {}, {}, {}, hint, input, rule, limit};
    }
};

// The dependency's name as the contract spells it (API.md §2.5 data.dependency,
// and the reason of the snapshot.error event, which the service still builds).
inline QString dependencyName(CaptureError::Dependency d)
{
    switch (d) {
    case CaptureError::Dependency::MediaMtx: return QStringLiteral("mediamtx");
    case CaptureError::Dependency::Camera: return QStringLiteral("camera");
    case CaptureError::Dependency::Storage: return QStringLiteral("storage");
    }
    return {};
}

} // namespace station::media
