# Shell helpers for the tests that capture through a sound server (PulseAudio, PipeWire): their
# common start (a temporary directory, the server, a private bus, audiod on it), and checks of
# what audiod's stream carries. Source it after setting $src and $build (absolute paths); it
# brings tests/lib/check.sh (check, wait_for) with it.

. "$src/tests/lib/check.sh"
. "$src/tests/lib/stack.sh"
. "$src/tests/lib/sound-servers.sh"

# capture_test_start SERVER — how both tests begin: $tmp (stack_tmpdir, tests/lib/stack.sh),
# SERVER_setup (tests/lib/sound-servers.sh), a private system bus, SERVER_start, and audiod
# capturing the PCM "mic" with its log in $build/test-logs/audiod-capture-SERVER.log.
# Skips (exit 77) when a tool or the server is missing, before any check.
capture_test_start() {
        local server=$1

        stack_require_tools dbus-daemon busctl
        stack_tmpdir "test-audiod-capture-$server"
        "${server}_setup" "$tmp/$server" || { echo "SKIP: $sound_server_missing"; exit 77; }
        stack_bus "$tmp"
        export STATE_DIRECTORY="$tmp"
        "${server}_start" || { echo "SKIP: $sound_server_missing"; exit 77; }

        mkdir -p "$build/test-logs"
        audiod_start_on mic "$build/test-logs/audiod-capture-$server.log"
        check "audiod starts" kill -0 "$audiod_pid"
}

# probe SECONDS — reads one stream from audiod for SECONDS; sets packets, freq, rms, gap_ms
# (see tests/audio-probe.c) and prints the line.
probe() {
        local line
        line=$("$build/tests/audio-probe" "$1") || return 1
        echo "# $line"
        packets=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$line")
        freq=$(sed -n 's/.*freq=\([0-9.]*\).*/\1/p' <<<"$line")
        rms=$(sed -n 's/.*rms=\([0-9.]*\).*/\1/p' <<<"$line")
        gap_ms=$(sed -n 's/.*gap_ms=\([0-9]*\).*/\1/p' <<<"$line")
}

# within VALUE LOW HIGH — LOW <= VALUE <= HIGH, decimals allowed.
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

audio_prop() { busctl get-property org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 "$1" 2>/dev/null; }
audio_state_is() { audio_prop State | grep -qx "s \"$1\""; }
audio_not_running() { ! audio_state_is running; }
audio_setmute() { busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b "$1"; }

# tone_ok FREQ AMPLITUDE — the last probe carried the tone: 1 s of 20 ms packets (at least 40
# of the 50), the frequency within 3 % (PipeWire's graph drops a few frames now and then), the
# RMS of a sine of that peak amplitude within 10 %, and no wait of more than 200 ms for a packet.
tone_ok() {
        [ "${packets:-0}" -ge 40 ] && within "$freq" "$(awk -v f="$1" 'BEGIN { print f * 0.97 }')" \
                "$(awk -v f="$1" 'BEGIN { print f * 1.03 }')" &&
                within "$rms" "$(awk -v a="$2" 'BEGIN { print a / sqrt(2) * 0.9 }')" \
                        "$(awk -v a="$2" 'BEGIN { print a / sqrt(2) * 1.1 }')" &&
                [ "$gap_ms" -le 200 ]
}

# tone_flows FREQ AMPLITUDE — probes one second at a time until tone_ok (for "wait_for").
tone_flows() { probe 1 && tone_ok "$1" "$2"; }

# cpu_ms PID — CPU time PID has used so far, all threads, in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' /proc/"$1"/stat; }

# audiod_not_spinning — while one client reads for 2 s, audiod uses at most 10 % of a core. A
# capture loop that never sleeps between periods (a poll fd that stays readable) takes far more;
# what it really costs is measured by bench/bench-audiod-paths.sh.
audiod_not_spinning() {
        local c0 c1
        c0=$(cpu_ms "$audiod_pid")
        "$build/tests/audio-probe" 2 >/dev/null
        c1=$(cpu_ms "$audiod_pid")
        echo "# audiod used $((c1 - c0)) ms CPU in 2 s"
        [ $((c1 - c0)) -le 200 ]
}

# audiod_start_on DEVICE LOG — audiod on the private bus capturing DEVICE, its log in LOG;
# sets audiod_pid and waits until it owns its name.
audiod_start_on() {
        cat >"$tmp/audiod.json" <<X
{ "device": "$1", "mute_control": "", "retry_max_ms": 1000 }
X
        "$build/audiod/audiod" --config "$tmp/audiod.json" >"$2" 2>&1 &
        audiod_pid=$!
        pids="$pids $audiod_pid"
        wait_for 10 audio_prop Muted >/dev/null
}

# capture_checks NAME FREQ AMPLITUDE KILL START — the checks both servers share, on an audiod
# already started: the tone arrives unchanged, mute holds (nothing at all while muted), and
# after KILL (a command that kills the server) and START (one that starts it again) audiod
# takes the stream up again by itself.
capture_checks() {
        local name=$1 f=$2 a=$3 kill_server=$4 start_server=$5

        check "$name: audiod unmutes" audio_setmute false
        check "$name: State=running" wait_for 10 audio_state_is running
        check "$name: the tone arrives (${f} Hz, peak $a)" wait_for 10 tone_flows "$f" "$a"
        check "$name: audiod sleeps between periods" audiod_not_spinning

        check "$name: SetMute(true)" audio_setmute true
        probe 1
        check "$name: not one packet while muted (got $packets)" test "$packets" -eq 0
        check "$name: SetMute(false)" audio_setmute false
        check "$name: the tone again after unmuting" wait_for 5 tone_flows "$f" "$a"

        check "$name: the server is killed" $kill_server
        check "$name: audiod notices (State is not running)" wait_for 10 audio_not_running
        check "$name: audiod survives the server leaving" kill -0 "$audiod_pid"
        check "$name: the server starts again" $start_server
        check "$name: audiod takes the stream up again by itself" wait_for 20 tone_flows "$f" "$a"
        check "$name: State=running again" audio_state_is running
}
