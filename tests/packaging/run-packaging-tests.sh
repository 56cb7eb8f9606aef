#!/bin/bash
# Packaging tests: the .deb, its maintainer scripts, the systemd units, the
# MediaMTX installer and `camera-station validate`, on this machine, as root.
# Run by .ci/run after the main tests; needs the build in ./build.
#
# Stages (each prints its duration):
#   preflight       root, tools, nothing of ours installed, ports 8002/8003 free
#   deb             cpack -G DEB; file name; dpkg -I Depends; the Prometheus files are
#                   in it and the MediaMTX stand-in is not
#   lintian         no errors (overrides are documented in packaging/deb/lintian-overrides)
#   mediamtx        install-mediamtx.sh with a fake tarball: match, mismatch, no hash, table, URL
#   clean-chroot    a fresh Debian 12 minbase chroot without any of the
#                   dependencies: apt-get install ./deb pulls them all;
#                   --version runs; the QML UI loads (offscreen)
#   install         apt-get install ./deb here; account, groups, folders, secret, conffile
#   units           systemd-analyze verify on every unit
#   validate        exactly one FAIL: mediamtx
#   service         the installed unit's ExecStart as the service user: READY=1
#                   after both ports bound, WATCHDOG=1, ping on /ws, /health/ready 503
#                   mediamtx_unavailable, SIGTERM -> exit 0
#   standin         with the MediaMTX stand-in via a drop-in: /health/ready 200
#                   within 5 s (skipped, and said, when the stand-in is not in the tree)
#   reinstall       installing the same package twice
#   upgrade         a higher version over the running service; secret/config kept
#   bad-config      invalid YAML: the service refuses (exit 2, file:line), validate names the line
#   remove, purge   data and config kept / config+state gone, recordings kept unless asked
#   cleanup         the machine as found (also on failure)
#
# Environment: STATION_BUILD_DIR (default ./build), PACKAGING_TEST_KEEP=1
# keeps the temp folder, MEDIAMTX_STANDIN_DIR points at another copy of the
# stand-in, PACKAGING_TEST_SKIP_CHROOT=1 skips the slow clean-chroot stage
# (for local iteration only; it prints SKIP). Ports 8002/8003 must be free: the test fails at once
# (it does not wait) when something else holds them.
set -uo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${STATION_BUILD_DIR:-$top/build}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
APT_OPTS=(-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

passed=0 failed=0 skipped=0
stage_name="" stage_start=0
work="" chroot_dir=""
bg_pids=()
svc_pid="" notify_pid=""
baseline_pkgs="" had_user=0 had_group=0 had_data=0 had_etc=0
we_installed=0

say() { printf '[packaging] %s\n' "$*"; }
stage() {
    end_stage
    stage_name="$1"; stage_start=$SECONDS
    say "=== stage $stage_name"
}
end_stage() {
    [ -n "$stage_name" ] && say "--- stage $stage_name took $((SECONDS - stage_start)) s"
    stage_name=""
}
ok() { passed=$((passed + 1)); say "ok   - $*"; }
skip() { skipped=$((skipped + 1)); say "SKIP - $*"; }
die() {
    failed=$((failed + 1))
    say "FAIL - $*"
    exit 1  # the EXIT trap cleans up and prints the summary
}
# check "description" command...: passes when the command succeeds.
check() {
    local what="$1"; shift
    if "$@"; then ok "$what"; else die "$what"; fi
}

# --- helpers -----------------------------------------------------------------

ports_free() { [ -z "$(ss -Hltn '( sport = :8002 or sport = :8003 )')" ]; }

# The effective ExecStart of the installed unit (drop-ins in /etc override).
exec_start() {
    local files=(/lib/systemd/system/camera-station.service) f line cmd=""
    for f in /etc/systemd/system/camera-station.service.d/*.conf; do [ -f "$f" ] && files+=("$f"); done
    for f in "${files[@]}"; do
        while IFS= read -r line; do
            case "$line" in ExecStart=*) cmd="${line#ExecStart=}" ;; esac
        done <"$f"
    done
    printf '%s\n' "$cmd"
}

# Starts the unit's command as the service user, like systemd would (minus
# the sandbox), with a notify socket and a 2 s watchdog.
start_service() {
    local -a cmd
    read -r -a cmd <<<"$(exec_start)"
    [ ${#cmd[@]} -gt 0 ] || die "no ExecStart in the installed unit"
    : >"$work/notify.log"
    : >"$work/service.log"
    runuser -u camera-station -- env NOTIFY_SOCKET="$work/notify.sock" WATCHDOG_USEC=2000000 \
        "${cmd[@]}" "$@" >"$work/service.log" 2>&1 &
    svc_pid=$!
}

# PID of the camera-station process under runuser.
service_child() { ps -o pid= --ppid "$svc_pid" 2>/dev/null | head -n 1 | tr -d ' '; }

wait_ready() {
    local deadline=$((SECONDS + 30))
    while ! grep -q 'READY=1' "$work/notify.log"; do
        if ! kill -0 "$svc_pid" 2>/dev/null; then
            say "service exited; its log:"; tail -n 30 "$work/service.log"
            return 1
        fi
        [ $SECONDS -lt $deadline ] || { say "no READY=1 after 30 s"; tail -n 30 "$work/service.log"; return 1; }
        sleep 0.1
    done
}

# SIGTERM, then wait at most 20 s; returns the exit status.
stop_service() {
    [ -n "$svc_pid" ] || return 0
    local child; child="$(service_child)"
    [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
    local deadline=$((SECONDS + 20))
    while kill -0 "$svc_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 "$svc_pid" 2>/dev/null; then
        say "service did not stop within 20 s: killing it"
        [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
        kill -KILL "$svc_pid" 2>/dev/null
    fi
    wait "$svc_pid"; local rc=$?
    svc_pid=""
    return $rc
}

ws_ping() {
    /usr/bin/python3 - <<'EOF'
import asyncio, json, sys, websockets
async def main():
    async with websockets.connect("ws://127.0.0.1:8002/ws", open_timeout=5, close_timeout=2) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "ping", "id": 1}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        sys.exit(0 if reply.get("result") == "pong" and reply.get("id") == 1 else 1)
asyncio.run(main())
EOF
}

# ready_is CODE [REASON]: /health/ready answers CODE (and reason REASON).
ready_is() {
    local code body
    code="$(curl -s -o "$work/ready.json" -w '%{http_code}' --max-time 2 http://127.0.0.1:8003/health/ready)" || return 1
    body="$(cat "$work/ready.json")"
    [ "$code" = "$1" ] || return 1
    [ -z "${2:-}" ] || [ "$(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin).get("reason",""))' <<<"$body")" = "$2" ]
}

# wait_for SECONDS command...: polls every 0.1 s.
wait_for() {
    local limit="$1"; shift
    local deadline=$((SECONDS + limit))
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

apt_install() { timeout 900 apt-get install "${APT_OPTS[@]}" "$@" >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log"; return 1; }; }
pkg_status() { dpkg-query -W -f='${Status}' camera-station 2>/dev/null; }
secret_sum() { sha256sum /var/lib/camera-station/state/jwt_secret | cut -d' ' -f1; }

# --- cleanup: leave the machine as found -------------------------------------

cleanup() {
    local rc=$?
    end_stage
    say "=== cleanup"
    stop_service >/dev/null 2>&1
    for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    if [ -n "$chroot_dir" ] && [ -d "$chroot_dir" ]; then
        for m in dev/pts dev proc sys; do umount -l "$chroot_dir/root/$m" 2>/dev/null; done
        if findmnt -rn -o TARGET | grep -q "^$chroot_dir"; then
            say "cleanup: mounts remain under $chroot_dir; not removing it"
        else
            rm -rf --one-file-system "$chroot_dir"
        fi
    fi
    if [ "$we_installed" = 1 ]; then
        rm -rf /etc/systemd/system/camera-station.service.d
        if [ -n "$(dpkg-query -W -f='${Status}' camera-station 2>/dev/null)" ]; then
            apt-get purge "${APT_OPTS[@]}" camera-station >/dev/null 2>&1 || dpkg --purge camera-station >/dev/null 2>&1
        fi
        # Packages the .deb pulled in (cage, qt6-wayland, ...).
        if [ -n "$baseline_pkgs" ]; then
            local extra
            extra="$(comm -13 "$baseline_pkgs" <(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 ~ /^[ih]i/ {print $2}' | sort))"
            if [ -n "$extra" ]; then
                say "cleanup: purging packages the test pulled in: $(echo $extra)"
                # shellcheck disable=SC2086
                apt-get purge "${APT_OPTS[@]}" $extra >/dev/null 2>&1 || say "cleanup: could not purge $extra"
            fi
        fi
        [ "$had_data" = 1 ] || rm -rf /var/lib/camera-station
        [ "$had_etc" = 1 ] || rm -rf /etc/camera-station
        if [ "$had_user" = 0 ] && getent passwd camera-station >/dev/null; then deluser --quiet --system camera-station >/dev/null 2>&1; fi
        if [ "$had_group" = 0 ] && getent group camera-station >/dev/null; then delgroup --quiet --system camera-station >/dev/null 2>&1; fi
        rm -f /etc/systemd/system/mediamtx.service
    fi
    if [ -n "$work" ] && [ "${PACKAGING_TEST_KEEP:-0}" != 1 ]; then rm -rf "$work"; fi
    [ $rc -eq 0 ] || [ $failed -gt 0 ] || failed=$((failed + 1))
    say "total $SECONDS s"
    echo "packaging: $passed passed, $failed failed, $skipped skipped"
    [ $failed -eq 0 ] && exit 0 || exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- preflight -----------------------------------------------------------------

stage preflight
[ "$(id -u)" -eq 0 ] || die "run as root (it installs and purges the package)"
[ -x "$build/bin/camera-station" ] || die "no build in $build: run packaging/dev/station.sh test (or cmake --build build) first"
need=()
for p in lintian debootstrap python3-websockets curl systemd adduser; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
work="$(mktemp -d /tmp/cs-packaging-test.XXXXXX)"
chmod 0755 "$work"
if [ ${#need[@]} -gt 0 ]; then
    say "installing test tools: ${need[*]}"
    apt-get update -qq >/dev/null 2>&1
    apt_install --no-install-recommends "${need[@]}" || die "could not install ${need[*]}"
fi
ok "tools present (lintian, debootstrap, python3-websockets, curl, systemd-analyze, adduser)"
if [ -n "$(pkg_status)" ] && [ "$(pkg_status)" != "unknown ok not-installed" ]; then
    die "camera-station is already installed here ($(pkg_status)); this test installs and purges it: remove it first"
fi
if ! ports_free; then
    say "ports 8002/8003 are in use:"; ss -ltnp '( sport = :8002 or sport = :8003 )'
    die "ports 8002/8003 must be free for the service test (someone's manual run?): stop it and rerun"
fi
ok "ports 8002 and 8003 free"
getent passwd camera-station >/dev/null && had_user=1
getent group camera-station >/dev/null && had_group=1
[ -e /var/lib/camera-station ] && had_data=1
[ -e /etc/camera-station ] && had_etc=1
baseline_pkgs="$work/baseline-packages"
dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 ~ /^[ih]i/ {print $2}' | sort >"$baseline_pkgs"
we_installed=1
mkdir -p "$work/notify"
/usr/bin/python3 - "$work/notify.sock" "$work/notify.log" <<'EOF' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)
while True:
    msg = s.recv(4096).decode(errors="replace").strip()
    with open(sys.argv[2], "a") as f:
        f.write("%.3f %s\n" % (time.monotonic(), msg))
EOF
notify_pid=$!
bg_pids+=("$notify_pid")

# --- deb -------------------------------------------------------------------------

stage deb
version="$(sed -n 's/^project(camera-station VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { tail -n 20 "$work/cpack.log"; die "cpack -G DEB failed"; }
deb="$build/packages/camera-station_${version}_amd64.deb"
check "built $(basename "$deb")" test -f "$deb"
dpkg -I "$deb" >"$work/info.txt"
depends="$(sed -n 's/^ Depends: //p' "$work/info.txt")"
say "Depends: $depends"
for p in qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts qml6-module-qtquick-window \
         qml6-module-qtquick-templates qml6-module-qtmultimedia qml6-module-qtquick-virtualkeyboard qt6-virtualkeyboard-plugin \
         qml6-module-qt-labs-folderlistmodel qml6-module-qtqml-workerscript qt6-qpa-plugins libqt6multimedia6 \
         gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav ffmpeg adduser libqt6core6 libc6; do
    [[ ", $depends," == *", $p"[\ ,]* ]] || die "Depends lacks $p"
done
ok "Depends lists the runtime QML modules, plugins, media backends and the shlibdeps libraries"
check "the unit in the package runs a binary the package ships" \
    bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./lib/systemd/system/camera-station.service | grep '^ExecStart=/usr/bin/camera-station ' >/dev/null && dpkg -c '$deb' | grep ' ./usr/bin/camera-station$' >/dev/null"
check "the package never ships the MediaMTX stand-in (the demo is for the source tree only)" \
    bash -c "! dpkg -c '$deb' | grep -q 'mediamtx-standin'"
check "the package ships the Prometheus rules and scrape example" \
    bash -c "dpkg -c '$deb' | grep -q ' ./usr/share/camera-station/prometheus/camera-station.rules.yml$' && dpkg -c '$deb' | grep -q ' ./usr/share/camera-station/prometheus/scrape-config.example.yml$' && dpkg -c '$deb' | grep -q ' ./usr/share/camera-station/prometheus/alertmanager.example.yml$'"

# --- lintian -------------------------------------------------------------------------

stage lintian
lintian --pedantic --info "$deb" >"$work/lintian.txt" 2>&1
grep -v 'running with root privileges' "$work/lintian.txt" | sed 's/^/    /'
say "lintian: $(grep -c '^E:' "$work/lintian.txt") errors, $(grep -c '^W:' "$work/lintian.txt") warnings, $(grep -c '^[IP]:' "$work/lintian.txt") info/pedantic"
check "lintian reports no errors" bash -c "! grep -q '^E:' '$work/lintian.txt'"

# --- mediamtx installer ----------------------------------------------------------------

stage mediamtx
inst="$top/packaging/mediamtx/install-mediamtx.sh"
mkdir -p "$work/mtx/src" "$work/mtx/evil"
printf '#!/bin/sh\n[ "$1" = --version ] && echo v0.0.0-fake && exit 0\nexit 0\n' >"$work/mtx/src/mediamtx"
chmod 0755 "$work/mtx/src/mediamtx"
echo "logLevel: info" >"$work/mtx/src/mediamtx.yml"
tar -czf "$work/mtx/mediamtx_v0.0.0_linux_amd64.tar.gz" -C "$work/mtx/src" mediamtx mediamtx.yml
tgz="$work/mtx/mediamtx_v0.0.0_linux_amd64.tar.gz"
sum="$(sha256sum "$tgz" | cut -d' ' -f1)"
wrong="$(printf '%064d' 0)"
empty_table="$work/mtx/empty.txt"; : >"$empty_table"
check "matching --sha256 installs" bash -c "'$inst' --known '$empty_table' --tarball '$tgz' --sha256 '$sum' --prefix '$work/mtx/opt' 2>'$work/mtx/log' && '$work/mtx/opt/mediamtx' --version | grep -q v0.0.0-fake"
check "the install records version and digest" grep -q "$sum" "$work/mtx/opt/INSTALLED"
rm -rf "$work/mtx/opt"
"$inst" --known "$empty_table" --tarball "$tgz" --sha256 "$wrong" --prefix "$work/mtx/opt" 2>"$work/mtx/log"; rc=$?
check "a mismatching digest is refused (exit 1, nothing installed)" bash -c "[ $rc = 1 ] && grep -q 'SHA-256 mismatch' '$work/mtx/log' && [ ! -e '$work/mtx/opt/mediamtx' ]"
"$inst" --known "$empty_table" --tarball "$tgz" --prefix "$work/mtx/opt" 2>"$work/mtx/log"; rc=$?
check "a tarball without a known digest is refused" bash -c "[ $rc = 1 ] && grep -q 'no SHA-256' '$work/mtx/log' && [ ! -e '$work/mtx/opt/mediamtx' ]"
"$inst" --known "$empty_table" --tarball "$tgz" --sha256 "${sum:0:40}" --prefix "$work/mtx/opt" 2>"$work/mtx/log"; rc=$?
check "a malformed digest is refused" test "$rc" = 1
printf '# test table\n%s  %s  v0.0.0  file://%s\n' "$sum" "$(basename "$tgz")" "$tgz" >"$work/mtx/known.txt"
check "a digest from the table of known releases installs" "$inst" --known "$work/mtx/known.txt" --tarball "$tgz" --prefix "$work/mtx/opt2"
"$inst" --known "$work/mtx/known.txt" --tarball "$tgz" --sha256 "$wrong" --prefix "$work/mtx/opt3" 2>"$work/mtx/log"; rc=$?
check "--sha256 disagreeing with the table is refused" bash -c "[ $rc = 1 ] && grep -q disagrees '$work/mtx/log'"
check "--url (file://) with --sha256 downloads, verifies, installs" "$inst" --known "$empty_table" --url "file://$tgz" --sha256 "$sum" --prefix "$work/mtx/opt4"
check "--latest-known picks the table's release" "$inst" --known "$work/mtx/known.txt" --latest-known --prefix "$work/mtx/opt5"
ln -s /etc "$work/mtx/evil/x" && mkdir -p "$work/mtx/evil2" && cp "$work/mtx/src/mediamtx" "$work/mtx/evil2/"
tar -czf "$work/mtx/evil.tar.gz" -C "$work/mtx" --transform 's|^evil2/|../|' evil2/mediamtx 2>/dev/null
"$inst" --known "$empty_table" --tarball "$work/mtx/evil.tar.gz" --sha256 "$(sha256sum "$work/mtx/evil.tar.gz" | cut -d' ' -f1)" --prefix "$work/mtx/opt6" 2>"$work/mtx/log"; rc=$?
check "a tarball with '..' paths is refused" test "$rc" = 1
"$inst" --known "$empty_table" --url "http://127.0.0.1:9/none.tar.gz" --sha256 "$sum" --prefix "$work/mtx/opt7" 2>"$work/mtx/log"; rc=$?
check "a failed download says so (exit 3)" bash -c "[ $rc = 3 ] && grep -q 'could not download' '$work/mtx/log'"

# --- a clean Debian 12 without the dependencies ------------------------------------

stage clean-chroot
if [ "${PACKAGING_TEST_SKIP_CHROOT:-0}" = 1 ]; then
    skip "clean-chroot install NOT run (PACKAGING_TEST_SKIP_CHROOT=1; CI never sets it)"
else
chroot_dir="$work/chroot"
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
mirror="${mirror:-http://deb.debian.org/debian}"
if ! timeout 900 debootstrap --variant=minbase bookworm "$chroot_dir/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log"; die "debootstrap of a clean bookworm failed"
fi
cp /etc/apt/sources.list.d/*.sources "$chroot_dir/root/etc/apt/sources.list.d/" 2>/dev/null && : >"$chroot_dir/root/etc/apt/sources.list"
cp /etc/apt/apt.conf.d/99artifact-registry "$chroot_dir/root/etc/apt/apt.conf.d/" 2>/dev/null
mount -t proc proc "$chroot_dir/root/proc" && mount --rbind /dev "$chroot_dir/root/dev" && mount --make-rslave "$chroot_dir/root/dev" \
    || die "could not mount /proc and /dev in the chroot"
for p in qml6-module-qtquick libqt6multimedia6 ffmpeg gstreamer1.0-plugins-good qt6-qpa-plugins; do
    if chroot "$chroot_dir/root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        die "the clean chroot already has $p"
    fi
done
ok "clean chroot lacks the runtime dependencies"
cp "$deb" "$chroot_dir/root/tmp/"
chroot "$chroot_dir/root" apt-get update -qq >"$work/chroot-apt.log" 2>&1 || { tail "$work/chroot-apt.log"; die "apt-get update in the chroot failed"; }
if ! chroot "$chroot_dir/root" timeout 900 apt-get install "${APT_OPTS[@]}" "/tmp/$(basename "$deb")" >"$work/chroot-apt.log" 2>&1; then
    tail -n 30 "$work/chroot-apt.log"; die "apt-get install ./$(basename "$deb") in the clean chroot failed"
fi
say "chroot: $(grep -c '^Unpacking' "$work/chroot-apt.log") packages unpacked"
check "apt-get install ./deb in the clean chroot pulled every dependency" chroot "$chroot_dir/root" dpkg-query -W -f='${Status}\n' camera-station qml6-module-qtquick-controls ffmpeg gstreamer1.0-libav
v="$(chroot "$chroot_dir/root" camera-station --version 2>&1)"; say "chroot: $v"
check "camera-station --version runs in the chroot" test "${v%% (*}" = "camera-station $version"
check "no unresolved shared library in the chroot" bash -c "! chroot '$chroot_dir/root' ldd /usr/bin/camera-station | grep -q 'not found'"
# The QML UI must load from the installed modules alone: start it offscreen on
# free ports; a missing module ends it at once with "failed to load".
chroot "$chroot_dir/root" env QT_QPA_PLATFORM=offscreen QT_QUICK_BACKEND=software timeout 12 \
    camera-station --data-dir /tmp/cs --set server.port=0 --set health.port=0 >"$work/chroot-ui.log" 2>&1; rc=$?
grep -iE 'qml|module|plugin|failed' "$work/chroot-ui.log" | head -n 10 | sed 's/^/    /'
check "the QML UI loads in the chroot (ran until stopped: exit $rc)" bash -c "[ $rc = 124 ] && ! grep -qiE 'failed to load|is not installed|module .* not found' '$work/chroot-ui.log'"
# A system without the video group (the dependencies' systemd-sysusers
# create it, so remove it afterwards): postinst must say so and cope.
chroot "$chroot_dir/root" groupdel video || die "could not remove group video in the chroot"
chroot "$chroot_dir/root" /var/lib/dpkg/info/camera-station.postinst configure "$version" >"$work/chroot-postinst.log" 2>&1; rc=$?
sed 's/^/    /' "$work/chroot-postinst.log"
check "missing video group: postinst (exit $rc) said so and the account ended up in a new video group" \
    bash -c "[ $rc = 0 ] && grep -q \"there is no 'video' group\" '$work/chroot-postinst.log' && chroot '$chroot_dir/root' id -nG camera-station | tr ' ' '\n' | grep -qx video"
check "chroot postinst created the account and the secret" bash -c "chroot '$chroot_dir/root' getent passwd camera-station >/dev/null && [ -s '$chroot_dir/root/var/lib/camera-station/state/jwt_secret' ]"
for m in dev proc; do umount -l "$chroot_dir/root/$m" 2>/dev/null; done
if findmnt -rn -o TARGET | grep -q "^$chroot_dir"; then die "chroot mounts remain"; fi
rm -rf --one-file-system "$chroot_dir"; chroot_dir=""
fi

# --- install here ----------------------------------------------------------------------

stage install
apt_install "$deb" || die "apt-get install -y ./$(basename "$deb") failed"
check "package installed" bash -c "[ \"\$(dpkg-query -W -f='\${Status} \${Version}' camera-station)\" = 'install ok installed $version' ]"
check "system account camera-station: no login shell, home /var/lib/camera-station" \
    bash -c "getent passwd camera-station | awk -F: '\$3 < 1000 && \$6 == \"/var/lib/camera-station\" && \$7 == \"/usr/sbin/nologin\"' | grep -q ."
check "group camera-station exists" bash -c "getent group camera-station >/dev/null"
check "camera-station is in group video" bash -c "id -nG camera-station | tr ' ' '\n' | grep -qx video"
for d in /var/lib/camera-station /var/lib/camera-station/recordings /var/lib/camera-station/snapshots /var/lib/camera-station/state; do
    check "$d is camera-station:camera-station 750" bash -c "[ \"\$(stat -c '%U:%G %a' $d)\" = 'camera-station:camera-station 750' ]"
done
sec=/var/lib/camera-station/state/jwt_secret
check "secret is camera-station 600" bash -c "[ \"\$(stat -c '%U %a' $sec)\" = 'camera-station 600' ]"
check "secret is one line of 64 lowercase hex (SecretProvider's format)" bash -c "grep -Exq '[0-9a-f]{64}' $sec && [ \$(wc -l <$sec) = 1 ]"
check "secret is not the v1 default" bash -c "! grep -q edge-device-secret-key-change-in-production $sec"
check "the config is a conffile" bash -c "dpkg-query -W -f='\${Conffiles}' camera-station | grep -q '/etc/camera-station/camera-station.yaml'"
check "the secret is not in the config" bash -c "! grep -qf $sec /etc/camera-station/camera-station.yaml"
secret_before="$(secret_sum)"

# --- units -------------------------------------------------------------------------------

stage units
if command -v systemd-analyze >/dev/null; then
    for u in /lib/systemd/system/camera-station.service /lib/systemd/system/camera-station-kiosk.service; do
        if [[ "$u" == *kiosk* ]] && [ ! -x /usr/bin/cage ]; then
            skip "systemd-analyze verify $u: cage is not installed (it is a Recommends)"; continue
        fi
        systemd-analyze verify "$u" >"$work/verify.log" 2>&1; rc=$?
        sed 's/^/    /' "$work/verify.log"
        check "systemd-analyze verify $(basename "$u")" bash -c "[ $rc = 0 ] && ! grep -q 'camera-station' '$work/verify.log'"
    done
    sed "s|@MEDIAMTX_BINARY@|/usr/bin/true|" "$top/packaging/mediamtx/mediamtx.service" >"$work/mediamtx.service"
    systemd-analyze verify "$work/mediamtx.service" >"$work/verify.log" 2>&1; rc=$?
    sed 's/^/    /' "$work/verify.log"
    check "systemd-analyze verify mediamtx.service" test "$rc" = 0
else
    skip "systemd-analyze is not installed"
fi
check "the two station units conflict with each other" bash -c "grep -qx 'Conflicts=camera-station-kiosk.service' /lib/systemd/system/camera-station.service && grep -q '^Conflicts=camera-station.service' /lib/systemd/system/camera-station-kiosk.service"

# --- validate ------------------------------------------------------------------------------

stage validate
camera-station validate >"$work/validate.txt" 2>&1; rc=$?
sed 's/^/    /' "$work/validate.txt"
fails="$(awk '$1 == "FAIL" {print $2}' "$work/validate.txt" | sort | tr '\n' ' ')"
check "validate fails exactly on: mediamtx (got: ${fails:-none}; exit $rc)" bash -c "[ '$fails' = 'mediamtx ' ] && [ $rc = 1 ]"
check "validate passes the unit, secret, folders, ports, video and disk checks" \
    bash -c "for c in config secret folders api-port hlth-port ffmpeg unit video disk; do grep -q \"^PASS  \$c \" '$work/validate.txt' || exit 1; done"

# --- the service as the unit runs it ----------------------------------------------------

stage service
ports_free || die "ports 8002/8003 were taken while the test ran: $(ss -Hltnp '( sport = :8002 or sport = :8003 )')"
say "ExecStart: $(exec_start)"
t0=$SECONDS
start_service
check "READY=1 sent" wait_ready
check "both ports listening when READY=1 arrived" bash -c "ss -Hltn '( sport = :8002 )' | grep -q . && ss -Hltn '( sport = :8003 )' | grep -q ."
say "ready after $((SECONDS - t0)) s"
check "the service runs as camera-station" bash -c "[ \"\$(ps -o user= -p $(service_child))\" = camera-station ]"
check "ws://127.0.0.1:8002/ws answers ping with pong" ws_ping
check "/health/ready is 503 with reason mediamtx_unavailable" wait_for 15 ready_is 503 mediamtx_unavailable
sleep 2.5
check "WATCHDOG=1 keep-alives arrive (WATCHDOG_USEC=2 s)" bash -c "[ \$(grep -c 'WATCHDOG=1' '$work/notify.log') -ge 2 ]"
stop_service; rc=$?
check "SIGTERM: graceful exit 0" test "$rc" = 0
check "STOPPING=1 sent at shutdown" grep -q 'STOPPING=1' "$work/notify.log"

# --- with the MediaMTX stand-in ------------------------------------------------------------

stage standin
standin_src="${MEDIAMTX_STANDIN_DIR:-$top/tests/support/mediamtx-standin}"
if [ -x "$standin_src/mediamtx-standin" ]; then
    # A copy the service account can read, wherever the checkout lives.
    cp -r "$standin_src" "$work/standin" && chmod -R a+rX "$work/standin"
    mkdir -p /etc/systemd/system/camera-station.service.d
    printf '[Service]\nExecStart=\nExecStart=%s --set mediamtx.binary=%s\n' "$(exec_start)" "$work/standin/mediamtx-standin" \
        >/etc/systemd/system/camera-station.service.d/50-standin.conf
    say "drop-in ExecStart: $(exec_start)"
    check "validate reads the drop-in and still passes the unit check" bash -c "camera-station validate | grep -q '^PASS  unit '"
    start_service
    check "READY=1 with the stand-in" wait_ready
    t_ready=$SECONDS
    if wait_for 5 ready_is 200; then
        ok "/health/ready is 200 within 5 s of READY (took $((SECONDS - t_ready)) s)"
    else
        say "last /health/ready: $(cat "$work/ready.json" 2>/dev/null)"; tail -n 20 "$work/service.log"
        die "/health/ready did not turn 200 within 5 s with the stand-in"
    fi
    check "ping still answers" ws_ping
    # Stays running for the reinstall and upgrade stages.
else
    skip "MediaMTX stand-in not in this tree (tests/support/mediamtx-standin/mediamtx-standin, branch feature/standin): /health/ready 200 NOT tested"
    start_service
    check "READY=1 (service running for the upgrade stages)" wait_ready
fi

# --- reinstall and upgrade over the running service ------------------------------------------

stage reinstall
running="$(service_child)"
apt_install --reinstall "$deb" || die "installing the same package twice failed"
check "second install: secret unchanged" test "$(secret_sum)" = "$secret_before"
check "second install: one camera-station account" test "$(getent passwd | grep -c '^camera-station:')" = 1
check "second install: the running service was left alone" kill -0 "$running"

stage upgrade
echo "# local edit kept across upgrades" >>/etc/camera-station/camera-station.yaml
conf_before="$(sha256sum /etc/camera-station/camera-station.yaml | cut -d' ' -f1)"
up_version="${version}+pkgtest1"
(cd "$build" && STATION_DEB_VERSION="$up_version" cpack -G DEB >"$work/cpack-up.log" 2>&1) || { tail "$work/cpack-up.log"; die "building the upgrade package failed"; }
up_deb="$work/camera-station_${up_version}_amd64.deb"
mv "$build/packages/camera-station_${up_version}_amd64.deb" "$up_deb" || die "cpack made no camera-station_${up_version}_amd64.deb"
apt_install "$up_deb" || die "upgrade to $up_version failed"
check "upgraded to $up_version" bash -c "[ \"\$(dpkg-query -W -f='\${Version}' camera-station)\" = '$up_version' ]"
check "upgrade: the running service kept serving" bash -c "kill -0 $running && true" 
check "upgrade: ping answers during the upgrade's aftermath" ws_ping
check "upgrade: secret unchanged" test "$(secret_sum)" = "$secret_before"
check "upgrade: edited conffile kept" test "$(sha256sum /etc/camera-station/camera-station.yaml | cut -d' ' -f1)" = "$conf_before"
stop_service; rc=$?
check "upgrade: old process stops gracefully (exit $rc)" test "$rc" = 0
start_service   # what postinst's try-restart does under systemd
check "upgrade: restarted service is ready" wait_ready
check "upgrade: restarted service answers ping" ws_ping
stop_service >/dev/null

# --- a broken configuration ----------------------------------------------------------------

stage bad-config
cp /etc/camera-station/camera-station.yaml "$work/config.bak"
printf 'server:\n  port: [8002\n' >>/etc/camera-station/camera-station.yaml
bad_line="$(wc -l </etc/camera-station/camera-station.yaml)"
start_service
wait_for 15 bash -c "! kill -0 $svc_pid 2>/dev/null"
wait "$svc_pid"; rc=$?; svc_pid=""
sed 's/^/    /' "$work/service.log" | tail -n 5
check "the service refuses to start: exit 2, which the unit does not restart (RestartPreventExitStatus=2)" bash -c "[ $rc = 2 ] && grep -qx RestartPreventExitStatus=2 /lib/systemd/system/camera-station.service"
check "its message names the file and a line" grep -Eq 'config error: /etc/camera-station/camera-station.yaml:[0-9]+: invalid YAML' "$work/service.log"
check "it never reported READY" bash -c "! grep -q READY=1 '$work/notify.log'"
camera-station validate >"$work/validate.txt" 2>&1
grep '^FAIL  config' "$work/validate.txt" | sed 's/^/    /'
check "validate names the line (near $bad_line)" grep -Eq "^FAIL  config +/etc/camera-station/camera-station.yaml:($((bad_line - 1))|$bad_line|$((bad_line + 1))): invalid YAML" "$work/validate.txt"
cp "$work/config.bak" /etc/camera-station/camera-station.yaml

# --- remove and purge -----------------------------------------------------------------------

stage remove
rm -rf /etc/systemd/system/camera-station.service.d
echo fake >/var/lib/camera-station/recordings/camera0_2026-01-01_00-00-00-000000.mp4
echo fake >/var/lib/camera-station/snapshots/camera0_2026-01-01_00-00-00-000000.jpg
timeout 600 apt-get remove "${APT_OPTS[@]}" camera-station >"$work/apt.log" 2>&1 || { tail "$work/apt.log"; die "apt-get remove failed"; }
check "remove: binary gone, package in config-files state" bash -c "[ ! -e /usr/bin/camera-station ] && [ \"\$(dpkg-query -W -f='\${Status}' camera-station)\" = 'deinstall ok config-files' ]"
check "remove: config kept" test -f /etc/camera-station/camera-station.yaml
check "remove: secret kept and unchanged" test "$(secret_sum)" = "$secret_before"
check "remove: recordings and snapshots kept" bash -c "ls /var/lib/camera-station/recordings/*.mp4 /var/lib/camera-station/snapshots/*.jpg >/dev/null"

stage purge
timeout 600 apt-get purge "${APT_OPTS[@]}" camera-station >"$work/apt.log" 2>&1 || { tail "$work/apt.log"; die "apt-get purge failed"; }
grep 'camera-station:' "$work/apt.log" | sed 's/^/    /'
check "purge: package gone" bash -c "[ -z \"\$(dpkg-query -W -f='\${Status}' camera-station 2>/dev/null)\" ] || [ \"\$(dpkg-query -W -f='\${Status}' camera-station)\" = 'unknown ok not-installed' ]"
check "purge: /etc/camera-station gone" test ! -e /etc/camera-station
check "purge: state (secret) gone" test ! -e /var/lib/camera-station/state
check "purge: recordings and snapshots kept (not asked)" bash -c "ls /var/lib/camera-station/recordings/*.mp4 /var/lib/camera-station/snapshots/*.jpg >/dev/null"
check "purge: the kept recordings' owner still resolves" bash -c "[ \"\$(stat -c %U /var/lib/camera-station/recordings)\" = camera-station ]"

apt_install "$deb" || die "reinstall before the second purge failed"
check "a reinstall over kept recordings makes a new secret" bash -c "[ -s $sec ] && [ \"\$(sha256sum $sec | cut -d' ' -f1)\" != '$secret_before' ]"
CAMERA_STATION_PURGE_RECORDINGS=yes timeout 600 apt-get purge "${APT_OPTS[@]}" camera-station >"$work/apt.log" 2>&1 || die "purge with CAMERA_STATION_PURGE_RECORDINGS=yes failed"
check "purge with CAMERA_STATION_PURGE_RECORDINGS=yes removes recordings and snapshots too" test ! -e /var/lib/camera-station
apt_install "$deb" || die "reinstall before the flag-file purge failed"
touch /var/lib/camera-station/purge-recordings
timeout 600 apt-get purge "${APT_OPTS[@]}" camera-station >"$work/apt.log" 2>&1 || die "purge with the flag file failed"
check "purge with the flag file /var/lib/camera-station/purge-recordings removes them too" test ! -e /var/lib/camera-station

end_stage
exit 0
