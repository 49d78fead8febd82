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
. "$src/tests/lib/capture-checks.sh"

capture_test_start pipewire
capture_checks pipewire 440 0.5 pipewire_kill pipewire_start

kill "$audiod_pid"
wait "$audiod_pid"; rc=$?
check "audiod exits cleanly (exit $rc)" test "$rc" -eq 0

checks_done
