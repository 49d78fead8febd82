#!/bin/bash
# run-demo.sh BUILD — `make run`: the whole stack under `watchdogd --supervise` on a private bus,
# and a live view of what happens. With a sound card, audiod listens on "default"; without one,
# the bundled demo recording (tools/make-demo-audio.sh, cached in BUILD/demo/) is played into the
# vhtest ALSA plugin in real time, looping. hvacd runs the "sim" backend. Ctrl-C stops it all.
#
# Environment:
#   DEMO_SECONDS=N       stop by itself after N seconds (for tests and CI)
#   DEMO_RUNTIME_DIR=D   where configs, logs, state and the bus socket go (default: a new /tmp dir)
#   DEMO_AUDIO=file|card force the recording or the sound card
set -u
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build="$src/$build" ;; esac

for b in audiod/audiod wakeword/wakeword hvacd/hvacd watchdogd/watchdogd voicehvacctl/voicehvacctl; do
        if [ ! -x "$build/$b" ]; then
                echo "run-demo: $build/$b is not built (run make first)" >&2
                exit 1
        fi
done

if [ -n "${DEMO_RUNTIME_DIR:-}" ]; then
        run=$DEMO_RUNTIME_DIR
        mkdir -p "$run"
        chmod 755 "$run"
else
        run=$(mktemp -d /tmp/voicehvac-demo.XXXXXX)
        chmod 755 "$run"
fi
mkdir -p "$run/state"

have_card() {
        [ -r /proc/asound/cards ] && grep -q '^ *[0-9]' /proc/asound/cards
}
audio=${DEMO_AUDIO:-}
if [ -z "$audio" ]; then
        if have_card; then audio=card; else audio=file; fi
fi

if [ "$audio" = file ]; then
        key=$(sha256sum "$src/tools/make-demo-audio.sh" | cut -c1-12)
        wav="$build/demo/demo-$key.wav"
        if [ ! -f "$wav" ]; then
                echo "Making the demo recording (espeak-ng + sox)…"
                mkdir -p "$build/demo"
                "$src/tools/make-demo-audio.sh" "$wav.tmp.wav" && mv "$wav.tmp.wav" "$wav" || {
                        echo "run-demo: could not make the demo recording" >&2
                        exit 1
                }
        fi
        if [ ! -f "$build/tests/alsa/libasound_module_pcm_vhtest.so" ]; then
                echo "run-demo: the vhtest ALSA plugin is not built ($build/tests/alsa)" >&2
                exit 1
        fi
        "$src/tests/alsa/make-conf.sh" "$build/tests/alsa" "$wav" "$run/switch" 'eof "loop"' >"$run/asound.conf"
        export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$run/asound.conf"
        # Keep the host's ~/.asoundrc and its PulseAudio hook from taking "default" away.
        export HOME="$run" XDG_CONFIG_HOME="$run"
        device=vhtest
        mixer=vhtest
        echo "No sound card: playing $(basename "$wav") into the vhtest capture device, in a loop."
        echo "It says: \"hey climate, set the temperature to twenty four degrees\","
        echo "         \"hey climate, switch to cooling mode\", \"hey climate, fan speed high\"."
else
        device=default
        mixer=""
        echo "Listening on the default capture device. Say \"hey climate, set the temperature to twenty four\"."
fi

cat >"$run/audiod.json" <<JSON
{ "device": "$device", "mixer_device": "$mixer", "unmute_group": "root", "default_muted": false }
JSON
cat >"$run/hvacd.json" <<JSON
{ "backend": "sim" }
JSON
# A daemon built with sanitizers checks for leaks as it exits, which on a busy machine can take
# longer than the default 5 s before SIGKILL.
cat >"$run/watchdogd.json" <<JSON
{
        "budget_file": "$src/cgroups/budget.json",
        "stop_timeout_ms": 15000,
        "audiod":   { "exec": [ "$build/audiod/audiod", "--config", "$run/audiod.json" ] },
        "hvacd":    { "exec": [ "$build/hvacd/hvacd", "--config", "$run/hvacd.json" ] },
        "wakeword": { "exec": [ "$build/wakeword/wakeword" ] }
}
JSON

# The air conditioner starts somewhere the recording's commands visibly change.
cat >"$run/state/hvacd-state.json" <<JSON
{"power":true,"mode":"auto","target_temperature":21,"fan_speed":"auto"}
JSON

export STATE_DIRECTORY="$run/state"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$run/bus"
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID

# The daemons log to a file; the terminal shows the events.
"$build/watchdogd/watchdogd" --supervise --private-bus "$run" --config "$run/watchdogd.json" \
        >"$run/stack.log" 2>&1 &
watchdogd=$!
monitor=""

stop() {
        trap '' INT TERM
        [ -n "$monitor" ] && kill -TERM "$monitor" 2>/dev/null
        if kill -TERM "$watchdogd" 2>/dev/null; then
                wait "$watchdogd"
                status=$?
        else
                wait "$watchdogd" 2>/dev/null
                status=$?
        fi
        [ -n "$monitor" ] && wait "$monitor" 2>/dev/null
        echo "Stopped (watchdogd exit status $status). Logs: $run/stack.log"
        exit "$status"
}
trap stop INT TERM

for _ in $(seq 100); do
        [ -S "$run/bus" ] && break
        kill -0 "$watchdogd" 2>/dev/null || { echo "run-demo: watchdogd failed:" >&2; tail "$run/stack.log" >&2; exit 1; }
        sleep 0.1
done

echo "Stack starting under watchdogd --supervise (bus $DBUS_SYSTEM_BUS_ADDRESS, logs $run/stack.log)."
echo "Press Ctrl-C to stop."
echo
"$build/voicehvacctl/voicehvacctl" monitor &
monitor=$!

if [ -n "${DEMO_SECONDS:-}" ]; then
        end=$((SECONDS + DEMO_SECONDS))
        while [ $SECONDS -lt $end ] && kill -0 "$watchdogd" 2>/dev/null; do
                sleep 1 &
                wait $!
        done
        stop
fi
# Returns when watchdogd ends on its own, or a signal runs stop().
wait "$watchdogd"
stop
