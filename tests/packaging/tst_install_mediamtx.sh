#!/bin/bash
# install-mediamtx.sh --release/--pinned against a fake release served from a
# loopback HTTP server (no network): the tarball and checksums.sha256 are made
# here. A good digest installs; a wrong one, a missing checksums file, a pin
# that disagrees, no tarball for the architecture, a non-HTTPS remote base and
# an unreachable server are refused with their reason, and nothing is installed.
set -uo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
inst="$top/packaging/mediamtx/install-mediamtx.sh"
work="$(mktemp -d /tmp/tst-install-mediamtx.XXXXXX)"
srv_pid=""
cleanup() {
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; sed 's/^/       | /' "$work/log" 2>/dev/null; }

# A release folder: VERSION/ with tarballs for amd64 and (as older releases
# named it) arm64v8, and a checksums.sha256 in sha256sum's format.
make_tarball() {  # version arch -> path
    local v="$1" a="$2" d="$work/src-$1-$2"
    mkdir -p "$d" "$work/www/$v"
    printf '#!/bin/sh\n[ "$1" = --version ] && echo %s-fake-%s && exit 0\nexit 0\n' "$v" "$a" >"$d/mediamtx"
    chmod 0755 "$d/mediamtx"
    echo "logLevel: info" >"$d/mediamtx.yml"
    echo "MIT" >"$d/LICENSE"
    tar -czf "$work/www/$v/mediamtx_${v}_linux_$a.tar.gz" --owner=0 --group=0 -C "$d" mediamtx mediamtx.yml LICENSE
    echo "$work/www/$v/mediamtx_${v}_linux_$a.tar.gz"
}
digest() { sha256sum "$1" | awk '{print $1}'; }

# v1.20.1: good release (sha256sum text format).
t1="$(make_tarball v1.20.1 amd64)"; t1a="$(make_tarball v1.20.1 arm64v8)"
(cd "$work/www/v1.20.1" && sha256sum mediamtx_v1.20.1_linux_amd64.tar.gz mediamtx_v1.20.1_linux_arm64v8.tar.gz >checksums.sha256)
# v1.20.2: no checksums.sha256 published.
make_tarball v1.20.2 amd64 >/dev/null
# v1.20.3: checksums.sha256 with a wrong digest for amd64 (binary-mode "*" and a folder, as some tools write).
t3="$(make_tarball v1.20.3 amd64)"
printf '%s *binaries/%s\n' "$(printf 'tampered' | sha256sum | awk '{print $1}')" "$(basename "$t3")" >"$work/www/v1.20.3/checksums.sha256"
# v1.20.4: checksums lists only windows/darwin files.
mkdir -p "$work/www/v1.20.4"
printf '%s  mediamtx_v1.20.4_darwin_amd64.tar.gz\n' "$(digest "$t1")" >"$work/www/v1.20.4/checksums.sha256"

python3 -u -m http.server --bind 127.0.0.1 --directory "$work/www" 0 >"$work/http.log" 2>&1 &
srv_pid=$!
port=""
for _ in $(seq 50); do
    port="$(sed -n 's/.*Serving HTTP on 127.0.0.1 port \([0-9]*\).*/\1/p' "$work/http.log")"
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL - the loopback HTTP server did not start"; cat "$work/http.log"; exit 1; }
base="http://127.0.0.1:$port"
empty_table="$work/empty-table.txt"
: >"$empty_table"

# run NAME ARGS...: runs the installer into $work/opt-NAME; sets rc.
run() {
    local name="$1"; shift
    rc=0
    "$inst" --base-url "$base" --prefix "$work/opt-$name" "$@" >"$work/log" 2>&1 || rc=$?
}
installed() { [ -x "$work/opt-$1/mediamtx" ]; }

# 1. Good digest: installs, the binary runs, INSTALLED records the digest.
run good --release v1.20.1 --arch amd64 --known "$empty_table"
if [ $rc = 0 ] && installed good && "$work/opt-good/mediamtx" --version | grep -qx 'v1.20.1-fake-amd64' \
    && grep -q "$(digest "$t1")  mediamtx_v1.20.1_linux_amd64.tar.gz" "$work/opt-good/INSTALLED" \
    && grep -q 'trusting the release.s checksums.sha256' "$work/log"; then
    ok "--release v1.20.1 with a matching checksums.sha256 installs (and says the pin table is empty)"
else bad "good digest should install (rc=$rc)"; fi

# 2. --pinned is v1.20.1.
run pinned --pinned --arch amd64 --known "$empty_table"
if [ $rc = 0 ] && "$work/opt-pinned/mediamtx" --version | grep -qx 'v1.20.1-fake-amd64'; then
    ok "--pinned installs v1.20.1"
else bad "--pinned should install v1.20.1 (rc=$rc)"; fi

# 3. arm64: the release names it linux_arm64v8; the checksums file decides.
run arm --release v1.20.1 --arch arm64 --known "$empty_table"
if [ $rc = 0 ] && "$work/opt-arm/mediamtx" --version | grep -qx 'v1.20.1-fake-arm64v8'; then
    ok "--arch arm64 finds the release's linux_arm64v8 tarball through checksums.sha256"
else bad "arm64v8 tarball should install (rc=$rc)"; fi

# 4. Wrong digest in checksums.sha256: refused, nothing installed.
run mismatch --release v1.20.3 --arch amd64 --known "$empty_table"
if [ $rc = 1 ] && grep -q 'SHA-256 mismatch' "$work/log" && ! installed mismatch; then
    ok "a tarball whose digest differs from checksums.sha256 is refused (exit 1, nothing installed)"
else bad "bad digest should be refused (rc=$rc)"; fi

# 5. No checksums.sha256 in the release: refused.
run nochecksums --release v1.20.2 --arch amd64 --known "$empty_table"
if [ $rc = 1 ] && grep -q 'publishes no checksums.sha256' "$work/log" && ! installed nochecksums; then
    ok "a release without checksums.sha256 is refused (exit 1, nothing installed)"
else bad "missing checksums should be refused (rc=$rc)"; fi

# 6. The pin table agrees: installs. It disagrees: refused, with both digests named.
printf '%s  mediamtx_v1.20.1_linux_amd64.tar.gz  v1.20.1  %s\n' "$(digest "$t1")" "$base/v1.20.1/mediamtx_v1.20.1_linux_amd64.tar.gz" >"$work/agree.txt"
run agree --release v1.20.1 --arch amd64 --known "$work/agree.txt"
if [ $rc = 0 ] && installed agree && ! grep -q 'trusting the release' "$work/log"; then
    ok "checksums.sha256 and a pin in known-releases.txt that agree: installs"
else bad "agreeing pin should install (rc=$rc)"; fi
printf '%s  mediamtx_v1.20.1_linux_amd64.tar.gz  v1.20.1  x\n' "$(digest "$t1a")" >"$work/disagree.txt"
run disagree --release v1.20.1 --arch amd64 --known "$work/disagree.txt"
if [ $rc = 1 ] && grep -q 'disagree about mediamtx_v1.20.1_linux_amd64.tar.gz' "$work/log" && ! installed disagree; then
    ok "checksums.sha256 and known-releases.txt disagreeing: refused"
else bad "disagreeing pin should be refused (rc=$rc)"; fi

# 7. --sha256 must agree with the published digest too.
run sha --release v1.20.1 --arch amd64 --known "$empty_table" --sha256 "$(digest "$t1a")"
if [ $rc = 1 ] && grep -q "disagrees with the release's checksums.sha256" "$work/log" && ! installed sha; then
    ok "--sha256 that disagrees with checksums.sha256: refused"
else bad "--sha256 disagreeing should be refused (rc=$rc)"; fi

# 8. No tarball for this architecture in the checksums file.
run noarch --release v1.20.4 --arch amd64 --known "$empty_table"
if [ $rc = 1 ] && grep -q 'lists no tarball for linux/amd64' "$work/log" && ! installed noarch; then
    ok "a release whose checksums.sha256 has no linux/amd64 tarball: refused"
else bad "no tarball for the architecture should be refused (rc=$rc)"; fi

# 9. Plain HTTP to anything but loopback is not a trusted base.
rc=0; "$inst" --release v1.20.1 --base-url http://192.0.2.1/releases --prefix "$work/opt-http" >"$work/log" 2>&1 || rc=$?
if [ $rc = 1 ] && grep -q 'must be https://' "$work/log" && ! installed http; then
    ok "a plain http:// base URL that is not loopback: refused before any download"
else bad "non-https base should be refused (rc=$rc)"; fi

# 10. Offline: nothing listens on the port -> exit 3 (the run command's cue for the demo).
kill "$srv_pid"; wait "$srv_pid" 2>/dev/null; srv_pid=""
run offline --release v1.20.1 --arch amd64 --known "$empty_table"
if [ $rc = 3 ] && grep -q 'offline' "$work/log" && ! installed offline; then
    ok "server unreachable: exit 3 (download failed), nothing installed"
else bad "offline should exit 3 (rc=$rc)"; fi

echo "install-mediamtx: $passed passed, $failed failed"
[ "$failed" = 0 ]
