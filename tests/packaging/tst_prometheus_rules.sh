#!/bin/bash
# The shipped Prometheus files: promtool check rules, promtool test rules
# (unit tests of every alert with synthetic series) and promtool check config
# on the scrape-config example; amtool check-config on the Alertmanager
# example. Exit 77 (ctest SKIP) only without promtool or amtool.
set -uo pipefail
top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$top/packaging/prometheus"
if ! command -v promtool >/dev/null; then
    echo "SKIP: promtool not found (Debian's prometheus package: apt-get install prometheus)"
    exit 77
fi
if ! command -v amtool >/dev/null; then
    echo "SKIP: amtool not found (Debian's prometheus-alertmanager package: apt-get install prometheus-alertmanager)"
    exit 77
fi
work="$(mktemp -d /tmp/tst-prom-rules.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failed=0
run() { echo "--- $*"; "$@" || { echo "FAIL: $*"; failed=1; }; }
run promtool check rules "$dir/camera-station.rules.yml"
run promtool test rules "$dir/tests/camera-station.rules.test.yml"
# The example names the installed rules; check it against the ones here.
sed "s|/usr/share/camera-station/prometheus/camera-station.rules.yml|$dir/camera-station.rules.yml|" \
    "$dir/scrape-config.example.yml" >"$work/prometheus.yml"
run promtool check config "$work/prometheus.yml"
run amtool check-config "$dir/alertmanager.example.yml"
exit $failed
