#pragma once

#include <QStringList>

namespace station::config { struct ConfigSources; }

namespace station::app {

// `camera-station validate [--user NAME] [--unit FILE]`: pre-deployment
// checks, one PASS/FAIL/SKIP line each, a fix with every FAIL. Loads the
// configuration itself so that a file that does not parse is reported (with
// its line) instead of ending the run. Exit status: 0 when nothing failed,
// 1 when a check failed, 2 for a bad command line.
int runValidateCommand(const config::ConfigSources &sources, const QStringList &args);

} // namespace station::app
