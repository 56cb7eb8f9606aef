#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang, ASan+UBSan) and runs
# each for FUZZ_SECONDS (default 60) on a copy of its seed corpus. A crash,
# leak or sanitizer report fails the run; the reproducer is printed.
set -euo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$top"
seconds="${FUZZ_SECONDS:-60}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -- -j"$(nproc)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for bin in build-fuzz/fuzz/fuzz_*; do
    name="$(basename "$bin")"
    target="${name#fuzz_}"
    mkdir -p "$work/$target"
    cp -r "tests/fuzz/corpus/$target/." "$work/$target/" 2>/dev/null || true
    start=$SECONDS
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/$target-" "$work/$target" >"$work/$target.log" 2>&1; then
        echo "fuzz: $name ok, $(grep -Eo 'Done [0-9]+ runs' "$work/$target.log" | head -1) in $((SECONDS - start)) s"
    else
        echo "fuzz: $name FAILED after $((SECONDS - start)) s"
        grep -E 'ERROR|SUMMARY|Test unit written' "$work/$target.log" | head -20
        for a in "$work/$target-"*; do [ -f "$a" ] && { echo "reproducer $a:"; base64 "$a" | head -5; }; done
        status=1
    fi
done
exit $status
