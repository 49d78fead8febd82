# Sound servers for the tests and benches that capture through them. Each lives in a private
# directory DIR (its runtime directory, HOME and configuration), plays a 440 Hz sine at half of
# full scale into a 16 kHz mono source, and defines the ALSA PCM "mic" on that source in
# DIR/.asoundrc, as a user's own file would. Source it after tests/lib/check.sh (wait_for) and
# tests/lib/stack.sh (every process started is added to $pids); $src is the source tree.
#
#   pulse_setup DIR;    pulse_start;    pulse_kill
#   pipewire_setup DIR; pipewire_start; pipewire_kill
#
# A *_setup exports HOME, XDG_RUNTIME_DIR and XDG_CONFIG_HOME into DIR, so nothing of the
# machine's own sound set-up is used; the last one set up is the one the environment points at.
# Each returns non-zero when its server cannot run here (not installed, plugin missing) and
# says why in $sound_server_missing.

# ---- PulseAudio on a private socket: module-sine plays into a null sink; its monitor is "mic" ----

pulse_setup() {
        pulse_dir=$1
        sound_server_missing=""
        for tool in pulseaudio pactl; do
                command -v $tool >/dev/null || { sound_server_missing="$tool is not installed"; return 1; }
        done
        [ -e "$(pkg-config --variable=libdir alsa 2>/dev/null)/alsa-lib/libasound_module_pcm_pulse.so" ] ||
                { sound_server_missing="alsa-plugins' pulse PCM is not installed (libasound2-plugins)"; return 1; }
        mkdir -p "$pulse_dir"
        export HOME="$pulse_dir" XDG_RUNTIME_DIR="$pulse_dir" XDG_CONFIG_HOME="$pulse_dir"
        export PULSE_SERVER="unix:$pulse_dir/pulse-native"
        cat >"$pulse_dir/pulse.pa" <<X
load-module module-native-protocol-unix socket=$pulse_dir/pulse-native auth-anonymous=1
load-module module-null-sink sink_name=room rate=16000 channels=1
load-module module-sine sink=room frequency=440
X
        cat >"$pulse_dir/.asoundrc" <<X
pcm.mic { type pulse device "room.monitor" server "$PULSE_SERVER" }
X
}

pulse_start() {
        pulseaudio -n -F "$pulse_dir/pulse.pa" --daemonize=no --exit-idle-time=-1 --use-pid-file=no \
                --disallow-exit --log-target=file:"$pulse_dir/pulse.log" 2>>"$pulse_dir/pulse.err" &
        pulse_pid=$!
        pids="$pids $pulse_pid"
        wait_for 10 pactl info >/dev/null 2>&1 ||
                { sound_server_missing="PulseAudio does not start here: $(tail -n 3 "$pulse_dir/pulse.err" "$pulse_dir/pulse.log" 2>/dev/null)"; return 1; }
}

pulse_kill() { kill -KILL "$pulse_pid" && wait "$pulse_pid" 2>/dev/null; true; }

# ---- PipeWire and WirePlumber: pw-play plays into the virtual source "room", which is "mic" ----

# The plugin of pipewire-alsa, installed, or unpacked by tools/deps.sh where pipewire-alsa cannot
# be installed beside pulseaudio (it Conflicts: pulseaudio in Debian 12); for a cross build's
# tests, VH_PIPEWIRE_ALSA_PLUGIN names that architecture's (tests/cross/check-cross.sh).
pipewire_alsa_plugin() {
        local p
        for p in ${VH_PIPEWIRE_ALSA_PLUGIN:+"$VH_PIPEWIRE_ALSA_PLUGIN"} \
                 "$(pkg-config --variable=libdir alsa 2>/dev/null)/alsa-lib/libasound_module_pcm_pipewire.so" \
                 /usr/local/lib/voicehvac-tests/pipewire-alsa/libasound_module_pcm_pipewire.so; do
                [ -e "$p" ] && { echo "$p"; return 0; }
        done
        return 1
}

pipewire_setup() {
        local plugin
        pipewire_dir=$1
        sound_server_missing=""
        for tool in pipewire wireplumber pw-play pw-link sox dbus-daemon; do
                command -v $tool >/dev/null || { sound_server_missing="$tool is not installed"; return 1; }
        done
        plugin=$(pipewire_alsa_plugin) ||
                { sound_server_missing="PipeWire's ALSA plugin is not there (tools/deps.sh unpacks it)"; return 1; }
        mkdir -p "$pipewire_dir/config/pipewire" "$pipewire_dir/config/wireplumber/main.lua.d" \
                "$pipewire_dir/config/wireplumber/bluetooth.lua.d"
        export HOME="$pipewire_dir" XDG_RUNTIME_DIR="$pipewire_dir" PIPEWIRE_RUNTIME_DIR="$pipewire_dir"
        export XDG_CONFIG_HOME="$pipewire_dir/config" XDG_STATE_HOME="$pipewire_dir/state"
        unset PIPEWIRE_REMOTE

        # WirePlumber wants a session bus; a private one.
        dbus-daemon --session --nofork --nopidfile --address="unix:path=$pipewire_dir/session-bus" \
                >"$pipewire_dir/session-bus.log" 2>&1 &
        pids="$pids $!"
        export DBUS_SESSION_BUS_ADDRESS="unix:path=$pipewire_dir/session-bus"
        wait_for 10 test -S "$pipewire_dir/session-bus" || { sound_server_missing="no session bus"; return 1; }

        # A graph at 16 kHz driven by the dummy driver, with one virtual source and nothing of
        # the machine's (no ALSA, no Bluetooth, no cameras: WirePlumber's monitors are off).
        cat >"$pipewire_dir/config/pipewire/pipewire.conf" <<X
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
        echo 'default_access.enable()' >"$pipewire_dir/config/wireplumber/main.lua.d/90-enable-all.lua"
        : >"$pipewire_dir/config/wireplumber/bluetooth.lua.d/90-enable-all.lua"
        sox -n -r 16000 -c 1 -b 16 "$pipewire_dir/tone.wav" synth 600 sine 440 vol 0.5
        cat >"$pipewire_dir/.asoundrc" <<X
pcm_type.pipewire { lib "$plugin" }
pcm.mic { type pipewire capture_node "room" playback_node "-1" server "pipewire-0" }
X
}

# The server, its session manager, and the tone played into "room" (linked by hand, as a
# loopback a user sets up would be; WirePlumber links the ALSA client to "room").
pipewire_start() {
        pipewire >>"$pipewire_dir/pipewire.log" 2>&1 &
        pipewire_pid=$!
        pids="$pids $pipewire_pid"
        wait_for 10 test -S "$pipewire_dir/pipewire-0" || { sound_server_missing="PipeWire does not start here: $(tail -n 3 "$pipewire_dir/pipewire.log")"; return 1; }
        wireplumber >>"$pipewire_dir/wireplumber.log" 2>&1 &
        pids="$pids $!"
        pw-play -P '{ node.autoconnect = false node.name = tone-player }' "$pipewire_dir/tone.wav" \
                >>"$pipewire_dir/pw-play.log" 2>&1 &
        pids="$pids $!"
        wait_for 10 bash -c 'pw-link -o | grep -qx tone-player:output_MONO' &&
                pw-link tone-player:output_MONO room:input_MONO ||
                { sound_server_missing="PipeWire does not play here: $(tail -n 3 "$pipewire_dir/wireplumber.log" "$pipewire_dir/pw-play.log")"; return 1; }
}

pipewire_kill() {
        kill -KILL "$pipewire_pid" && wait "$pipewire_pid" 2>/dev/null
        rm -f "$pipewire_dir/pipewire-0" "$pipewire_dir/pipewire-0.lock"
        true
}
