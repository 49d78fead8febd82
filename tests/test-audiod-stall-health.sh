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
. "$src/tests/lib/check.sh"

stack_require_tools busctl dbus-daemon
stack_require_built tests/alsa/libasound_module_pcm_vhtest.so
stack_tmpdir voicehvac-test-stall

head -c 64000 /dev/zero >"$tmp/silence.raw"
vhtest_alsa_env "$tmp" "$tmp/silence.raw" "stall \"$tmp/stalled\""
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
stack_supervise "$tmp/watchdogd.json"

audiod_state() {
        busctl --address="$bus" get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 State 2>/dev/null
}
says() { # says COMMAND PATTERN — COMMAND's output matches PATTERN
        $1 | grep -q "$2"
}

check "audiod says its device is stalled" wait_for 20 says audiod_state '"stalled"'
check "watchdogd reports audiod degraded because of it" \
        wait_for 10 says stack_health '"audiod" [0-9]* "State" s "degraded" "Reason" s "[^"]*State is stalled'
check "and does not restart audiod for it (the device is at fault; audiod retries it)" \
        wait_for 1 says stack_health '"audiod" [0-9]* "State" s "[a-z]*" "Reason" s "[^"]*" "Pid" u [0-9]* "Restarts" u 0 '
rm -f "$tmp/stalled"
check "audiod runs once the device delivers" wait_for 10 says audiod_state '"running"'
check "watchdogd reports audiod healthy again" wait_for 10 says stack_health '"audiod" [0-9]* "State" s "ok"'
checks_done
