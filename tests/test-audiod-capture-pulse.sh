#!/bin/bash
# audiod captures through alsa-plugins' "pulse" PCM: real PulseAudio on a private socket
# playing a 440 Hz sine (module-sine) into a 16 kHz null sink, whose monitor is the microphone;
# real audiod on a private bus. The stream must carry the tone, carry nothing while muted, and
# come back by itself after the server is killed and started again.
set -u
build=$(realpath "${VH_BUILD:-build}")
src=$(realpath "${VH_SRCDIR:-.}")
tmp=$(mktemp -d /tmp/test-audiod-capture-pulse-XXXXXX)
chmod 755 "$tmp"
failures=0; checks=0
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
        wait 2>/dev/null
        [ -n "${VH_TEST_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
check() { # check DESCRIPTION COMMAND…
        local what=$1; shift
        checks=$((checks + 1))
        "$@" || { echo "FAIL: $what"; failures=$((failures + 1)); }
}
eventually() { # eventually SECONDS COMMAND… — true once COMMAND succeeds within SECONDS
        local end=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
        while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
                "$@" && return 0
                sleep 0.05
        done
        return 1
}
. "$src/tests/lib/capture-checks.sh"

for tool in pulseaudio pactl dbus-daemon busctl; do
        command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
plugin_dir=$(pkg-config --variable=libdir alsa 2>/dev/null)/alsa-lib
[ -e "$plugin_dir/libasound_module_pcm_pulse.so" ] || { echo "SKIP: alsa-plugins' pulse PCM is not installed (libasound2-plugins)"; exit 77; }

private_bus_start "$tmp" || { echo "FAIL: no private bus"; exit 1; }
pids+=($private_bus_pid)

export HOME="$tmp" XDG_RUNTIME_DIR="$tmp" XDG_CONFIG_HOME="$tmp" STATE_DIRECTORY="$tmp"
export PULSE_SERVER="unix:$tmp/pulse-native"
cat >"$tmp/pulse.pa" <<X
load-module module-native-protocol-unix socket=$tmp/pulse-native auth-anonymous=1
load-module module-null-sink sink_name=room rate=16000 channels=1
load-module module-sine sink=room frequency=440
X
start_pulse() {
        pulseaudio -n -F "$tmp/pulse.pa" --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
                --disallow-exit --log-target=file:"$tmp/pulse.log" 2>>"$tmp/pulse.err" &
        pulse_pid=$!
        pids+=($pulse_pid)
        eventually 10 pactl info >/dev/null 2>&1
}
kill_pulse() { kill -KILL "$pulse_pid" && wait "$pulse_pid" 2>/dev/null; true; }
start_pulse || { echo "SKIP: PulseAudio does not start here: $(tail -n 3 "$tmp/pulse.err" "$tmp/pulse.log" 2>/dev/null)"; exit 77; }

# The microphone as a user's ~/.asoundrc defines it.
cat >"$tmp/.asoundrc" <<X
pcm.mic { type pulse device "room.monitor" server "$PULSE_SERVER" }
X

mkdir -p "$build/test-logs"
audiod_start_on mic "$build/test-logs/audiod-capture-pulse.log"
check "audiod starts" kill -0 "$audiod_pid"
# module-sine plays its sine at half of full scale.
capture_checks pulse 440 0.5 kill_pulse start_pulse

kill "$audiod_pid"
wait "$audiod_pid"; rc=$?
check "audiod exits cleanly (exit $rc)" test "$rc" -eq 0

echo "# $checks checks, $failures failed"
[ "$failures" -eq 0 ]
