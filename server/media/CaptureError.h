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
    Kind kind = Kind::None;
    QString state;              // InvalidState: current state
    QStringList allowedStates;  // InvalidState
    QString feature;            // Unsupported
    QString dependency;         // Dependency: mediamtx, ffmpeg, camera, storage, network
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
    static CaptureError dependencyFailed(const QString &dependency, const QString &detail)
    {
        return {Kind::Dependency, {}, {}, {}, dependency, detail, {}, {}, {}};
    }
    static CaptureError invalidInput(const QString &input, const QString &rule, const QString &hint,
                                     std::optional<qint64> limit = std::nullopt)
    {
        return {Kind::InvalidInput, {}, {}, {}, {}, hint, input, rule, limit};
    }
};

} // namespace station::media
