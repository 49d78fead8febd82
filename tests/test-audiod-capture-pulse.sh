#!/bin/bash
# audiod captures through alsa-plugins' "pulse" PCM: real PulseAudio on a private socket
# playing a 440 Hz sine (module-sine) into a 16 kHz null sink, whose monitor is the microphone;
# real audiod on a private bus. The stream must carry the tone, carry nothing while muted, come
# back by itself after the server is killed and started again, and a suspended source must show
# as "stalled" until it runs again.
set -u
build=$(realpath "${VH_BUILD:-build}")
src=$(realpath "${VH_SRCDIR:-.}")
tmp=$(mktemp -d /tmp/test-audiod-capture-pulse-XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
        wait 2>/dev/null
        [ -n "${VH_TEST_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
. "$src/tests/lib/check.sh"
. "$src/tests/lib/capture-checks.sh"
. "$src/tests/lib/sound-servers.sh"

for tool in dbus-daemon busctl; do
        command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
pulse_setup "$tmp/pulse" || { echo "SKIP: $sound_server_missing"; exit 77; }
private_bus_start "$tmp" || { echo "FAIL: no private bus"; exit 1; }
pids+=($private_bus_pid)
export STATE_DIRECTORY="$tmp"
pulse_start || { echo "SKIP: $sound_server_missing"; exit 77; }

mkdir -p "$build/test-logs"
audiod_start_on mic "$build/test-logs/audiod-capture-pulse.log"
check "audiod starts" kill -0 "$audiod_pid"
capture_checks pulse 440 0.5 pulse_kill pulse_start

# A source that stops delivering under a running stream (suspended by hand: pactl, a desktop's
# mixer) is reported, not left "running" and silent; audiod takes it up again once it runs.
check "pulse: suspend the source" pactl suspend-sink room 1
check "pulse: audiod reports the stall (State=stalled)" wait_for 8 audio_state_is stalled
check "pulse: the log names the device" grep -q "Capture device 'mic' opened but delivered no audio" \
        "$build/test-logs/audiod-capture-pulse.log"
check "pulse: resume the source" pactl suspend-sink room 0
check "pulse: the tone again, by itself" wait_for 15 tone_flows 440 0.5
check "pulse: State=running again" audio_state_is running

kill "$audiod_pid"
wait "$audiod_pid"; rc=$?
check "audiod exits cleanly (exit $rc)" test "$rc" -eq 0

checks_done
