#!/bin/bash
# A microphone that opens but delivers nothing reaches the health report: audiod on a stalled
# vhtest device (tests/alsa, "stall") under `watchdogd --supervise` on a private bus; watchdogd
# reads audiod's State ("stalled") and reports audiod degraded with it, and reports it healthy
# again once the device delivers.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac

for tool in busctl dbus-daemon; do
        command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -f "$build/tests/alsa/libasound_module_pcm_vhtest.so" ] || { echo "FAIL: the vhtest ALSA plugin is not built"; exit 1; }

tmp=$(mktemp -d /tmp/voicehvac-test-stall.XXXXXX)
chmod 755 "$tmp"
cleanup() {
        [ -n "${wd:-}" ] && kill -TERM "$wd" 2>/dev/null && wait "$wd" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT
. "$src/tests/lib/check.sh"

head -c 64000 /dev/zero >"$tmp/silence.raw"
"$src/tests/alsa/make-conf.sh" "$build/tests/alsa" "$tmp/silence.raw" "$tmp/switch" 'eof "loop"' \
        "stall \"$tmp/stalled\"" >"$tmp/asound.conf"
mkdir -p "$tmp/state"
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$tmp/asound.conf" HOME="$tmp" XDG_CONFIG_HOME="$tmp" STATE_DIRECTORY="$tmp/state"
: >"$tmp/stalled"
cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root", "retry_max_ms": 1000 }
JSON
cat >"$tmp/watchdogd.json" <<JSON
{
        "ping_interval_ms": 500, "ping_timeout_ms": 250, "budget_file": "$src/cgroups/budget.json",
        "audiod": { "exec": [ "$build/audiod/audiod", "--config", "$tmp/audiod.json" ] },
        "hvacd": { "exec": [ "$build/hvacd/hvacd" ] },
        "wakeword": { "enabled": false }
}
JSON
"$build/watchdogd/watchdogd" --supervise --private-bus "$tmp/bus" --config "$tmp/watchdogd.json" \
        >"$tmp/watchdogd.log" 2>&1 &
wd=$!
bus="unix:path=$tmp/bus/bus"

health() {
        busctl --address="$bus" call org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 org.voicehvac.Watchdog1 GetHealth 2>/dev/null
}
audiod_state() {
        busctl --address="$bus" get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 State 2>/dev/null
}
says() { # says COMMAND PATTERN — COMMAND's output matches PATTERN
        $1 | grep -q "$2"
}

check "audiod says its device is stalled" wait_for 20 says audiod_state '"stalled"'
check "watchdogd reports audiod degraded because of it" \
        wait_for 10 says health '"audiod" [0-9]* "State" s "degraded" "Reason" s "[^"]*State is stalled'
check "and does not restart audiod for it (the device is at fault; audiod retries it)" \
        wait_for 1 says health '"audiod" [0-9]* "State" s "[a-z]*" "Reason" s "[^"]*" "Pid" u [0-9]* "Restarts" u 0 '
rm -f "$tmp/stalled"
check "audiod runs once the device delivers" wait_for 10 says audiod_state '"running"'
check "watchdogd reports audiod healthy again" wait_for 10 says health '"audiod" [0-9]* "State" s "ok"'
checks_done
