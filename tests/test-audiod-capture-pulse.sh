#!/bin/bash
# audiod captures through alsa-plugins' "pulse" PCM: real PulseAudio on a private socket
# playing a 440 Hz sine (module-sine) into a 16 kHz null sink, whose monitor is the microphone;
# real audiod on a private bus. The stream must carry the tone, carry nothing while muted, come
# back by itself after the server is killed and started again, and a suspended source must show
# as "stalled" until it runs again.
set -u
build=$(realpath "${VH_BUILD:-build}")
src=$(realpath "${VH_SRCDIR:-.}")
. "$src/tests/lib/capture-checks.sh"

capture_test_start pulse
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
