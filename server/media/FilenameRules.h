#pragma once

#include <QString>

namespace station::media {

// API.md §2.7 filename rules, evaluated in order; the first failure is
// returned as its rule name (non_empty, max_bytes, control_char,
// path_separator, dot_dot, leading_dot, forbidden_char). Empty: valid.
// A valid name can never leave its folder.
QString filenameRuleViolation(const QString &filename);

// A human hint for a violated rule, e.g. "filename must not contain / or \\".
QString filenameRuleHint(const QString &rule);

inline constexpr int kMaxFilenameBytes = 255;

} // namespace station::media
