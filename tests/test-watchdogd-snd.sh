#!/bin/bash
# watchdogd never opens a sound device: every open/openat of the watchdogd process, traced with
# strace over a run that includes start-up, health checks and a restart, names no /dev/snd path —
# while it does read the capture status from (a stand-in for) /proc/asound, and reports a capture
# substream held by another process than audiod as audiod "degraded".
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac
. "$src/tests/lib/check.sh"

stack_require_tools strace busctl dbus-daemon
stack_require_built watchdogd/watchdogd tests/alsa/libasound_module_pcm_vhtest.so
stack_tmpdir voicehvac-test-snd

# A capture substream open by pid 1, as /proc/asound would show one not opened by audiod.
mkdir -p "$tmp/asound/card0/pcm0c/sub0"
printf 'state: RUNNING\nowner_pid   : 1\ntrigger_time: 1.0\n' >"$tmp/asound/card0/pcm0c/sub0/status"

# LeakSanitizer cannot run under ptrace; leaks are what the other tests check.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
head -c 64000 /dev/zero >"$tmp/silence.raw"
vhtest_alsa_env "$tmp" "$tmp/silence.raw"
cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root" }
JSON
cat >"$tmp/watchdogd.json" <<JSON
{
        "ping_interval_ms": 500, "ping_timeout_ms": 250,
        "asound_root": "$tmp/asound", "budget_file": "$src/cgroups/budget.json",
        "audiod": { "exec": [ "$build/audiod/audiod", "--config", "$tmp/audiod.json" ] },
        "hvacd": { "exec": [ "$build/hvacd/hvacd" ] },
        "wakeword": { "enabled": false }
}
JSON

# watchdogd under strace: $watchdogd_pid is strace's; watchdogd's own is the trace's first.
spawn watchdogd strace -f -qq -o "$tmp/trace" -e trace=open,openat,openat2 \
        "$build/watchdogd/watchdogd" --supervise --private-bus "$tmp/bus" --config "$tmp/watchdogd.json"
bus="unix:path=$tmp/bus/bus"

health_says() { # health_says PATTERN
        stack_health | grep -q "$1"
}

check "audiod reported degraded: its capture device is held by pid 1" \
        wait_for 30 health_says '"capture card0/pcm0c/sub0 is held by pid 1, not audiod"'
old=$(stack_health_pid audiod)
check "audiod has a pid ($old)" test -n "$old"
[ -n "$old" ] && kill -KILL "$old"
restarted() {
        local pid; pid=$(stack_health_pid audiod)
        [ -n "$pid" ] && [ "$pid" != 0 ] && [ "$pid" != "$old" ]
}
check "audiod restarted after kill -9" wait_for 10 restarted
# Not a wait: a second more of watchdogd at work after the restart, traced with the rest.
sleep 1

wd=$(head -1 "$tmp/trace" | awk '{print $1}')
pids="$pids $wd"
check "watchdogd traced (pid $wd)" test -n "$wd"
kill -TERM "$wd"
wait "$watchdogd_pid"

own=$(awk -v p="$wd" '$1 == p' "$tmp/trace")
check "watchdogd's opens were traced ($(echo "$own" | grep -c open) of them)" test "$(echo "$own" | grep -c open)" -gt 10
check "watchdogd read the capture status under $tmp/asound" grep -q "$tmp/asound/card0/pcm0c/sub0/status" <<<"$own"
check_not "watchdogd opened nothing under /dev/snd" grep '/dev/snd' <<<"$own"
check "watchdogd opened no device node but /dev/null" \
        bash -c '! grep -o "\"/dev/[^\"]*\"" <<<"$1" | grep -v "^\"/dev/null\"$" | grep -q .' _ "$own"
check "watchdogd exited cleanly" bash -c '! grep -q "did not exit cleanly" "$1"' _ "$tmp/watchdogd.log"
[ "$failures" -eq 0 ] || { echo "--- watchdogd log"; tail -30 "$tmp/watchdogd.log"; }
checks_done
