#pragma once

// Shared set-up for the fuzz targets: one QCoreApplication per process (Qt
// objects need it), quiet logging so the fuzzer's output stays readable.
#include <QCoreApplication>
#include <QLoggingCategory>

namespace station::fuzz {

inline void initQt()
{
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication *app = nullptr;
    if (!app) {
        app = new QCoreApplication(argc, argv);
        QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
    }
}

} // namespace station::fuzz
