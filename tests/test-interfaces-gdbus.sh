#!/bin/bash
# The reviewed interfaces as a GLib developer uses them: gdbus-codegen makes a C binding of every
# dbus-interfaces/*.xml and each compiles; a client built on the Audio1 binding opens a stream
# from the real audiod (vhtest device, private bus), gets the descriptor through the GUnixFDList
# (which the org.gtk.GDBus.C.UnixFD annotation makes reachable), finds it non-blocking as the XML
# says, and reads a packet with the header's magic.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
. "$src/tests/lib/check.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac
case $src in /*) ;; *) src=$(cd "$src" && pwd) ;; esac

stack_require_built audiod/audiod tests/alsa/libasound_module_pcm_vhtest.so
for tool in gdbus-codegen pkg-config dbus-daemon; do
        command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (tools/deps.sh installs it)"; exit 1; }
done
pkg-config --exists gio-unix-2.0 || { echo "FAIL: gio-unix-2.0 is not installed (tools/deps.sh installs it)"; exit 1; }

stack_tmpdir test-interfaces-gdbus

glib_cflags=$(pkg-config --cflags gio-unix-2.0)
glib_libs=$(pkg-config --libs gio-unix-2.0)

for xml in "$src"/dbus-interfaces/org.voicehvac.*.xml; do
        name=$(basename "$xml" .xml)
        short=${name#org.voicehvac.}
        out="$tmp/${short,,}-generated"
        check "$name: gdbus-codegen makes a binding" \
                gdbus-codegen --c-namespace Vh --interface-prefix org.voicehvac. --generate-c-code "$out" "$xml"
        check "$name: the binding compiles" cc -c $glib_cflags -Wall -o "$tmp/$name.o" "$out.c"
done

check "the OpenStream client builds on the Audio1 binding" \
        cc $glib_cflags -Wall -Werror -I"$tmp" -o "$tmp/client" "$src/tests/gdbus/open-stream-client.c" \
        "$tmp/audio1-generated.c" $glib_libs

# A 440 Hz tone, unmuted, on the vhtest device.
python3 - "$tmp/tone.raw" <<'PY'
import math, struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(b"".join(struct.pack("<h", round(8000 * math.sin(2 * math.pi * 440 * k / 16000))) for k in range(16000)))
PY
vhtest_alsa_env "$tmp" "$tmp/tone.raw"
stack_bus "$tmp"
cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root", "default_muted": false }
JSON
spawn audiod "$build/audiod/audiod" --config "$tmp/audiod.json"
running() {
        busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 \
                org.voicehvac.Audio1 State 2>/dev/null | grep -q running
}
check "audiod captures within 20 s" wait_for 20 running || { cat "$tmp/audiod.log"; checks_done; exit 1; }

"$tmp/client" >"$tmp/client.out" 2>&1
rc=$?
cat "$tmp/client.out"
check "the GLib client's OpenStream call succeeds (exit $rc)" test $rc = 0
check "the descriptor is non-blocking, as the XML says" grep -qx "nonblocking yes" "$tmp/client.out"
check "a packet with the magic VHA1 arrives on it" grep -q "magic VHA1" "$tmp/client.out"

checks_done
