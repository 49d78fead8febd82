# Shell helpers for the tests and benches that start the daemons themselves. Source it after
# setting $src (the source tree) and $build (the build tree).

# private_bus_start DIR — a private dbus-daemon of "system" type listening on DIR/bus, with the
# permissive policy of common/private-bus.c (tests of the project's policy start a deny-by-default
# bus of their own). Exports DBUS_SYSTEM_BUS_ADDRESS, sets $private_bus_pid, and fails (the daemon
# stopped again) when the socket has not appeared within 10 s.
private_bus_start() {
        local dir=$1
        cat >"$dir/bus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
XML
        dbus-daemon --nofork --nopidfile --nosyslog --config-file="$dir/bus.conf" &
        private_bus_pid=$!
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/bus"
        for _ in $(seq 200); do
                [ -S "$dir/bus" ] && return 0
                sleep 0.05
        done
        kill "$private_bus_pid" 2>/dev/null
        return 1
}

# vhtest_alsa_env DIR RAW [PCM_LINE…] — ALSA's "vhtest" capture device (tests/alsa) playing the raw
# S16 mono file RAW in a loop, its "Capture Switch" in DIR/switch, each PCM_LINE one more key of it
# (tests/alsa/make-conf.sh). Exports ALSA_CONFIG_PATH, and puts HOME and XDG_CONFIG_HOME in DIR
# and STATE_DIRECTORY in DIR/state, so that no daemon reads or writes the real ones.
vhtest_alsa_env() {
        local dir=$1 raw=$2
        shift 2
        "$src/tests/alsa/make-conf.sh" "$build/tests/alsa" "$raw" "$dir/switch" 'eof "loop"' "$@" >"$dir/asound.conf"
        mkdir -p "$dir/state"
        export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$dir/asound.conf" HOME="$dir" XDG_CONFIG_HOME="$dir" STATE_DIRECTORY="$dir/state"
}

# stack_require_built FILE… — fails the test unless each FILE (a path in $build) is built.
stack_require_built() {
        local f
        for f in "$@"; do
                [ -e "$build/$f" ] || { echo "FAIL: $build/$f is not built"; exit 1; }
        done
}

# stack_require_tools TOOL… — skips the test unless each TOOL, from outside the tree (tools/deps.sh
# installs it), is on the PATH. Call it before any check.
stack_require_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
        done
}

# stack_tmpdir NAME — makes $tmp, /tmp/NAME.XXXXXX, readable by the daemons' users; at exit each
# process in $supervisors is stopped with SIGTERM and waited for, then every process in $pids is
# killed, and $tmp removed (kept when $VH_TEST_KEEP_TMP is set).
stack_tmpdir() {
        tmp=$(mktemp -d "/tmp/$1.XXXXXX") || { echo "FAIL: cannot make a temporary directory"; exit 1; }
        chmod 755 "$tmp"
        pids=""
        supervisors=""
        # Quiet, bash's notices of the processes it kills ("Killed") too.
        trap 'stack_cleanup 2>/dev/null' EXIT
}

stack_cleanup() {
        local p
        for p in $supervisors; do kill -TERM "$p" && wait "$p"; done
        for p in $pids; do kill -9 "$p"; done
        wait
        [ -n "${VH_TEST_KEEP_TMP:-}" ] || rm -rf "$tmp"
}

# spawn NAME COMMAND… — runs COMMAND in the background, logged to $tmp/NAME.log; its pid in
# $NAME_pid and in $pids.
spawn() {
        local name=$1; shift
        "$@" >"$tmp/$name.log" 2>&1 &
        eval "${name}_pid=$!"
        pids="$pids $!"
}

# spawn_supervisor NAME COMMAND… — spawn, for a process that stops children of its own on SIGTERM
# (watchdogd --supervise): at exit it is stopped so, in $supervisors, not killed with $pids.
spawn_supervisor() {
        spawn "$@"
        pids=${pids% *}
        supervisors="$supervisors $!"
}

# stack_bus DIR — private_bus_start DIR, the bus daemon in $pids; fails the test when it does not
# start.
stack_bus() {
        private_bus_start "$1" || { echo "FAIL: the private dbus-daemon in $1 did not start"; exit 1; }
        pids="$pids $private_bus_pid"
}

# stack_supervise CONFIG — the daemons under `watchdogd --supervise --config CONFIG`, on the private
# bus watchdogd starts in $tmp/bus ($bus); at exit watchdogd is stopped with SIGTERM and stops them.
stack_supervise() {
        spawn_supervisor watchdogd \
                "$build/watchdogd/watchdogd" --supervise --private-bus "$tmp/bus" --config "$1"
        bus="unix:path=$tmp/bus/bus"
}

# stack_health — watchdogd's GetHealth on $bus, as busctl prints it (nothing when it does not answer).
stack_health() {
        busctl --address="$bus" call org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 org.voicehvac.Watchdog1 \
                GetHealth 2>/dev/null
}

# stack_health_pid NAME — the pid stack_health gives for the service NAME.
stack_health_pid() {
        stack_health | grep -o "\"$1\" [0-9]* .*" | grep -o '"Pid" u [0-9]*' | head -1 | awk '{print $3}'
}
