#!/bin/bash
# audiod mirrors mute to a sound server's source through libpulse, follows mute changes made in
# the server, and survives the server going away and coming back. Real PulseAudio (a null
# source) on a private socket, real audiod on a private bus, audio from the vhtest plugin.
set -u
build=$(realpath "${VH_BUILD:-build}")
src=$(realpath "${VH_SRCDIR:-.}")
. "$src/tests/lib/stack.sh"
. "$src/tests/lib/check.sh"
stack_require_tools pulseaudio pactl dbus-daemon busctl
stack_tmpdir test-audiod-pulse

# --- a private bus -----------------------------------------------------------------------
stack_bus "$tmp"

# --- a sound server with one source, on its own socket ------------------------------------
export HOME="$tmp" XDG_RUNTIME_DIR="$tmp" XDG_CONFIG_HOME="$tmp"
export PULSE_SERVER="unix:$tmp/pulse-native"
cat >"$tmp/pulse.pa" <<X
load-module module-native-protocol-unix socket=$tmp/pulse-native auth-anonymous=1
load-module module-null-source source_name=vhmic
X
start_pulse() {
        pulseaudio -n -F "$tmp/pulse.pa" --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
                --disallow-exit --log-target=file:"$tmp/pulse.log" 2>>"$tmp/pulse.err" &
        pulse_pid=$!
        pids="$pids $pulse_pid"
        wait_for 10 pactl info >/dev/null 2>&1
}
start_pulse || { echo "SKIP: PulseAudio does not start here: $(tail -n 3 "$tmp/pulse.err" "$tmp/pulse.log" 2>/dev/null)"; exit 77; }

source_muted() { pactl get-source-mute vhmic 2>/dev/null | grep -q "Mute: $1"; }
muted_prop() { busctl get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 Muted 2>/dev/null | grep -qx "b $1"; }

# --- audiod, capturing from the vhtest plugin and mirroring to vhmic ------------------------
head -c 64000 /dev/urandom >"$tmp/noise.raw"
vhtest_alsa_env "$tmp" "$tmp/noise.raw"
cat >"$tmp/audiod.json" <<X
{ "device": "vhtest", "mixer_device": "vhtest", "pulse_source": "vhmic", "pulse_server": "$PULSE_SERVER" }
X
mkdir -p "$build/test-logs"
"$build/audiod/audiod" --config "$tmp/audiod.json" >"$build/test-logs/audiod-pulse.log" 2>&1 &
audiod_pid=$!
pids="$pids $audiod_pid"
check "audiod starts" wait_for 10 muted_prop false

setmute() { busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b "$1"; }

check "SetMute(true) mutes the server's source" bash -c "$(declare -f setmute); setmute true"
check "source muted" wait_for 3 source_muted yes
check "switch off too" grep -qx 0 "$tmp/switch"

pactl set-source-mute vhmic 0
check "unmuting in the server is followed" wait_for 3 muted_prop false
check "and carried to the capture switch" wait_for 3 grep -qx 1 "$tmp/switch"

pactl set-source-mute vhmic 1
check "muting in the server is followed" wait_for 3 muted_prop true

# The server goes away: audiod carries on; when it returns, it gets our mute.
kill "$pulse_pid"; wait "$pulse_pid" 2>/dev/null
check "audiod survives the server leaving" kill -0 "$audiod_pid"
check "mute still answers without a server" bash -c "$(declare -f setmute); setmute true"
start_pulse
check "the returning server's source is muted by audiod" wait_for 10 source_muted yes
check "audiod still muted" muted_prop true

kill "$audiod_pid"
wait "$audiod_pid"; rc=$?
check "audiod exits cleanly (exit $rc)" test "$rc" -eq 0

checks_done
