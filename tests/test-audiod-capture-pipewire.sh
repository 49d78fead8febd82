#!/bin/bash
# audiod captures through PipeWire's ALSA plugin: a real PipeWire daemon and WirePlumber in a
# private runtime directory (with a private session bus, which WirePlumber needs), a virtual
# source "room" into which pw-play plays a 440 Hz sine at half of full scale, and real audiod on a
# private system bus capturing "room" through the "pipewire" PCM, linked by WirePlumber. The
# stream must carry the tone, carry nothing while muted, and come back by itself after PipeWire
# is killed and started again.
set -u
build=$(realpath "${VH_BUILD:-build}")
src=$(realpath "${VH_SRCDIR:-.}")
tmp=$(mktemp -d /tmp/test-audiod-capture-pipewire-XXXXXX)
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

for tool in pipewire wireplumber pw-play pw-link sox dbus-daemon busctl; do
        command -v $tool >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
# The plugin of pipewire-alsa, installed, or unpacked by tools/deps.sh where pipewire-alsa
# cannot be installed beside pulseaudio.
plugin=$(pkg-config --variable=libdir alsa 2>/dev/null)/alsa-lib/libasound_module_pcm_pipewire.so
[ -e "$plugin" ] || plugin=/usr/local/lib/voicehvac-tests/pipewire-alsa/libasound_module_pcm_pipewire.so
[ -e "$plugin" ] || { echo "SKIP: PipeWire's ALSA plugin is not there (tools/deps.sh unpacks it)"; exit 77; }

private_bus_start "$tmp" || { echo "FAIL: no private bus"; exit 1; }
pids+=($private_bus_pid)

export HOME="$tmp" XDG_RUNTIME_DIR="$tmp" PIPEWIRE_RUNTIME_DIR="$tmp" XDG_CONFIG_HOME="$tmp/config"
export XDG_STATE_HOME="$tmp/state" STATE_DIRECTORY="$tmp"
unset PIPEWIRE_REMOTE
mkdir -p "$tmp/config/pipewire" "$tmp/config/wireplumber/main.lua.d" "$tmp/config/wireplumber/bluetooth.lua.d"

dbus-daemon --session --nofork --nopidfile --address="unix:path=$tmp/session-bus" >"$tmp/session-bus.log" 2>&1 &
pids+=($!)
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/session-bus"
eventually 10 test -S "$tmp/session-bus" || { echo "FAIL: no session bus"; exit 1; }

# A graph at 16 kHz driven by the dummy driver, with one virtual source and nothing of the
# machine's (no ALSA, no Bluetooth, no cameras: WirePlumber's monitors are off).
cat >"$tmp/config/pipewire/pipewire.conf" <<X
context.properties = {
    core.daemon = true
    core.name = pipewire-0
    default.clock.rate = 16000
    default.clock.allowed-rates = [ 16000 ]
    default.clock.quantum = 320
    default.clock.min-quantum = 320
    default.clock.max-quantum = 320
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
        args = { factory.name = support.node.driver node.name = Dummy-Driver node.group = pipewire.dummy priority.driver = 20000 } }
    { factory = adapter
        args = {
            factory.name = support.null-audio-sink
            node.name = room
            node.description = "room"
            media.class = Audio/Source/Virtual
            audio.position = [ MONO ]
            audio.rate = 16000
        }
    }
]
X
echo 'default_access.enable()' >"$tmp/config/wireplumber/main.lua.d/90-enable-all.lua"
: >"$tmp/config/wireplumber/bluetooth.lua.d/90-enable-all.lua"
sox -n -r 16000 -c 1 -b 16 "$tmp/tone.wav" synth 600 sine 440 vol 0.5

# The server, its session manager, and the tone played into "room" (linked by hand, as a
# loopback a user sets up would be).
start_pipewire() {
        pipewire >>"$tmp/pipewire.log" 2>&1 &
        pipewire_pid=$!
        pids+=($pipewire_pid)
        eventually 10 test -S "$tmp/pipewire-0" || return 1
        wireplumber >>"$tmp/wireplumber.log" 2>&1 &
        pids+=($!)
        pw-play -P '{ node.autoconnect = false node.name = tone-player }' "$tmp/tone.wav" >>"$tmp/pw-play.log" 2>&1 &
        pids+=($!)
        eventually 10 bash -c 'pw-link -o | grep -qx tone-player:output_MONO' || return 1
        pw-link tone-player:output_MONO room:input_MONO
}
kill_pipewire() { kill -KILL "$pipewire_pid" && wait "$pipewire_pid" 2>/dev/null; rm -f "$tmp/pipewire-0" "$tmp/pipewire-0.lock"; true; }
start_pipewire || { echo "SKIP: PipeWire does not start here: $(tail -n 3 "$tmp/pipewire.log" "$tmp/wireplumber.log" "$tmp/pw-play.log" 2>/dev/null)"; exit 77; }

# The microphone as a user's ~/.asoundrc defines it.
cat >"$tmp/.asoundrc" <<X
pcm_type.pipewire { lib "$plugin" }
pcm.mic { type pipewire capture_node "room" playback_node "-1" server "pipewire-0" }
X

mkdir -p "$build/test-logs"
audiod_start_on mic "$build/test-logs/audiod-capture-pipewire.log"
check "audiod starts" kill -0 "$audiod_pid"
capture_checks pipewire 440 0.5 kill_pipewire start_pipewire

kill "$audiod_pid"
wait "$audiod_pid"; rc=$?
check "audiod exits cleanly (exit $rc)" test "$rc" -eq 0

echo "# $checks checks, $failures failed"
[ "$failures" -eq 0 ]
