#!/bin/bash
# check-cross.sh ARCH BUILD "TEST BINARIES" "TEST SCRIPTS" — `make check-arm64` (and check-i386):
# the unit and private-bus integration tests of a cross build (make ARCH=…, in BUILD), run on
# this machine through binfmt_misc: arm64 binaries under qemu-user-static, i386 ones by the
# kernel itself. They load the :ARCH libraries installed beside the build machine's (multi-arch,
# make deps-ARCH), so the daemons, the test programs and the vhtest ALSA plugin they load are
# all of ARCH; dbus-daemon, busctl, sox and the shell are the build machine's.
#
# The ALSA tools the tests drive (amixer, arecord, aplay) load the vhtest plugin too, so they
# must be of ARCH as well: they are taken from Debian's alsa-utils:ARCH, unpacked into
# BUILD/arch-tools with pipewire-alsa's plugin (not installed: alsa-utils is one architecture per system).
#
# Deadlines that measure how fast the stack restarts are stretched by VH_TEST_TIME_SCALE (4
# under qemu). The libFuzzer targets and the ASan/UBSan pass stay native. Ends with the
# "N passed, N failed, N skipped" line of tests/summarize.sh.
set -u
arch=$1 build=$2 tests=$3 scripts=$4
src=$(cd "$(dirname "$0")/../.." && pwd)
results="$src/.check-results-$arch"

case $arch in
arm64) qemu=qemu-aarch64; scale=4 ;;
i386)  qemu=""; scale=1 ;;
*)     echo "check-cross: unknown architecture '$arch'" >&2; exit 2 ;;
esac

# --- binfmt_misc, so that exec() of an ARCH binary works everywhere (the tests start daemons) ----
if [ -n "$qemu" ]; then
        if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
                mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
                        { echo "check-cross: binfmt_misc is not mounted and cannot be (needs root)"; exit 1; }
        fi
        if ! grep -qx enabled "/proc/sys/fs/binfmt_misc/$qemu" 2>/dev/null; then
                update-binfmts --enable "$qemu" >/dev/null 2>&1 ||
                        update-binfmts --import "$qemu" >/dev/null 2>&1
        fi
        grep -qx enabled "/proc/sys/fs/binfmt_misc/$qemu" 2>/dev/null ||
                { echo "check-cross: no binfmt handler for $qemu (apt-get install qemu-user-static binfmt-support)"; exit 1; }
fi
"$build/tests/test-common" >/dev/null 2>&1 ||
        { echo "check-cross: $build/tests/test-common does not run here"; exit 1; }

# --- the ALSA tools of ARCH ----------------------------------------------------------------------
tools="$build/arch-tools"
if [ ! -x "$tools/usr/bin/amixer" ]; then
        rm -rf "$tools.tmp" && mkdir -p "$tools.tmp"
        (cd "$tools.tmp" && apt-get download -q "alsa-utils:$arch" "pipewire-alsa:$arch" >/dev/null 2>&1) &&
                dpkg-deb -x "$tools.tmp"/alsa-utils_*.deb "$tools.tmp/root" &&
                dpkg-deb -x "$tools.tmp"/pipewire-alsa_*.deb "$tools.tmp/root" ||
                { echo "check-cross: could not fetch alsa-utils:$arch and pipewire-alsa:$arch"; exit 1; }
        rm -rf "$tools" && mv "$tools.tmp/root" "$tools" && rm -rf "$tools.tmp"
fi
"$tools/usr/bin/amixer" --version >/dev/null ||
        { echo "check-cross: alsa-utils:$arch's amixer does not run (make deps-$arch)"; exit 1; }
PATH="$(cd "$tools/usr/bin" && pwd):$PATH"
# PipeWire's ALSA plugin of ARCH, for the capture tests (tests/lib/sound-servers.sh).
VH_PIPEWIRE_ALSA_PLUGIN=$(ls "$(cd "$tools" && pwd)"/usr/lib/*/alsa-lib/libasound_module_pcm_pipewire.so 2>/dev/null | head -n1)
[ -n "$VH_PIPEWIRE_ALSA_PLUGIN" ] || { echo "check-cross: no PipeWire ALSA plugin of $arch in $tools"; exit 1; }
export PATH VH_TEST_TIME_SCALE=$scale VH_PIPEWIRE_ALSA_PLUGIN

echo "check-$arch: $(file -b "$build/audiod/audiod" | cut -d, -f1-2); amixer: $(file -b "$tools/usr/bin/amixer" | cut -d, -f1-2)"
rm -f "$results"
tests/run-tests.sh "$build" "$tests" "$scripts" "$results" "$arch"
tests/summarize.sh "$results"
