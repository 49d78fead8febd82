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
pipewire_setup "$tmp/pipewire" || { echo "SKIP: $sound_server_missing"; exit 77; }
private_bus_start "$tmp" || { echo "FAIL: no private bus"; exit 1; }
pids+=($private_bus_pid)
export STATE_DIRECTORY="$tmp"
pipewire_start || { echo "SKIP: $sound_server_missing"; exit 77; }

mkdir -p "$build/test-logs"
audiod_start_on mic "$build/test-logs/audiod-capture-pipewire.log"
check "audiod starts" kill -0 "$audiod_pid"
capture_checks pipewire 440 0.5 pipewire_kill pipewire_start

kill "$audiod_pid"
wait "$audiod_pid"; rc=$?
check "audiod exits cleanly (exit $rc)" test "$rc" -eq 0

checks_done
