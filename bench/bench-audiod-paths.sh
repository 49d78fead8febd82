#!/bin/bash
# bench-audiod-paths.sh — audiod's cost on each way a microphone reaches it, beside arecord on
# the same device in the same run (arecord -D DEV, 16 kHz mono S16, 20 ms periods, 400 ms
# buffer, like audiod's defaults):
#   vhtest    the vhtest plugin, a file paced in real time, as a card's hw: PCM would be
#   pulse     alsa-plugins' pulse PCM on a PulseAudio null sink's monitor (tests/lib/sound-servers.sh)
#   pipewire  PipeWire's ALSA plugin on a virtual source, with WirePlumber
# For each: CPU as % of one core (time on CPU of all threads, /proc/PID/task/*/schedstat),
# wakeups per second (context switches of all threads), and peak RSS (VmHWM), with the sound
# server libraries found in /proc/PID/maps, and where the resident memory is at the end of the
# window (rss_breakdown). audiod has one client reading its stream.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
case $build in /*) ;; *) build="$src/$build" ;; esac
case $src in /*) ;; *) src="$(cd "$src" && pwd)" ;; esac
window=${BENCH_PATHS_SECONDS:-15}
. "$src/tests/lib/capture-checks.sh"

for tool in arecord busctl dbus-daemon; do
        command -v $tool >/dev/null || { echo "bench-audiod-paths: $tool is not installed"; exit 1; }
done
stack_tmpdir voicehvac-bench-paths

# cpu_ns PID, switches PID — summed over the threads alive now.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'; }
switches() {
        cat /proc/"$1"/task/*/status 2>/dev/null |
                awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { s += $2 } END { printf "%d\n", s }'
}
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' /proc/"$1"/status; }
# Which sound-server client libraries (libpulse*, libpipewire* and its modules) are mapped into
# PID, or "none".
server_libs() {
        local l
        l=$(awk '{ print $6 }' /proc/"$1"/maps | grep -oE '/lib(pulse|pipewire)' | tr -d / | sort -u | paste -sd ' ')
        echo "${l:-none}"
}

# rss_breakdown PID — where PID's resident memory is now, from /proc/PID/smaps, in KiB: the heap
# ([heap], brk), other anonymous memory (malloc's mmap'd chunks and thread arenas, thread stacks,
# libraries' .bss), the main stack, shared libraries (their own dirty pages: relocations, data;
# and clean pages: code and read-only data, which other processes mapping the same library share),
# the program itself, and the libraries with the most resident pages; and the proportional set
# size (Pss: each shared page divided among the processes mapping it).
rss_breakdown() {
        awk -v exe="$(readlink /proc/"$1"/exe)" '
                /^[0-9a-f]+-[0-9a-f]+ / { name = $6; next }
                /^Rss:/ { rss = $2; next }
                /^Pss:/ { pss += $2; next }
                /^Private_Dirty:/ { dirty = $2; next }
                /^Shared_Dirty:/ { dirty += $2; next }
                /^VmFlags:/ {
                        if (name == "[heap]") heap += rss
                        else if (name == "[stack]") stack += rss
                        else if (name == "") anon += rss
                        else if (name == exe) prog += rss
                        else if (name ~ /\.so/) {
                                lib_dirty += dirty; lib_clean += rss - dirty
                                n = name; sub(/.*\//, "", n); sub(/\.so.*/, "", n); per[n] += rss
                        } else other += rss
                        total += rss
                }
                END {
                        printf "Pss %d; RSS %d = heap %d + other anon %d + stack %d + libraries %d (dirty %d, clean %d) + program %d + other %d; largest:",
                                pss, total, heap, anon, stack, lib_dirty + lib_clean, lib_dirty, lib_clean, prog, other
                        for (k = 0; k < 6; k++) {
                                best = ""
                                for (n in per) if (best == "" || per[n] > per[best]) best = n
                                if (best == "") break
                                printf " %s %d", best, per[best]; delete per[best]
                        }
                        printf "\n"
                }' /proc/"$1"/smaps
}

# measure PID NAME — sets cpu_pct, wakeups, rss, libs for PID over $window seconds.
measure() {
        local pid=$1 c0 s0 c1 s1
        c0=$(cpu_ns "$pid"); s0=$(switches "$pid")
        sleep "$window"
        c1=$(cpu_ns "$pid"); s1=$(switches "$pid")
        cpu_pct=$(awk -v a="$c0" -v b="$c1" -v w="$window" 'BEGIN { printf "%.3f", (b - a) / (w * 1e9) * 100 }')
        wakeups=$(awk -v a="$s0" -v b="$s1" -v w="$window" 'BEGIN { printf "%.1f", (b - a) / w }')
        rss=$(peak_rss_kib "$pid")
        libs=$(server_libs "$pid")
        breakdown=$(rss_breakdown "$pid")
        threads=$(ls /proc/"$pid"/task | wc -l)
}

# bench_path NAME DEVICE — audiod, then arecord, on DEVICE; prints one line each.
# unmute_group: an installed system has audiod's group in /etc/group (the package's sysusers.d),
# where glibc finds it without loading another NSS module; the group "voicehvac" missing here
# would be looked up in every module nsswitch.conf names, and libnss_systemd would stay mapped
# (320 KiB of RSS). The bench user's own group stands for it.
bench_path() {
        local name=$1 dev=$2 probe_pid rec_pid
        cat >"$tmp/audiod-$name.json" <<X
{ "device": "$dev", "mute_control": "", "unmute_group": "$(id -gn)" }
X
        STATE_DIRECTORY="$tmp/state-$name" "$build/audiod/audiod" --config "$tmp/audiod-$name.json" \
                >"$tmp/audiod-$name.log" 2>&1 &
        audiod_pid=$!
        pids="$pids $audiod_pid"
        mkdir -p "$tmp/state-$name"
        if ! wait_for 10 audio_prop Muted >/dev/null || ! audio_setmute false >/dev/null ||
           ! wait_for 10 audio_state_is running; then
                echo "$name: audiod does not capture from '$dev': $(tail -n 2 "$tmp/audiod-$name.log")"
                kill "$audiod_pid"; wait "$audiod_pid" 2>/dev/null
                return
        fi
        "$build/tests/audio-probe" $((window + 3)) >"$tmp/probe-$name.out" &
        probe_pid=$!
        sleep 1
        measure "$audiod_pid"
        kill "$audiod_pid"; wait "$audiod_pid" 2>/dev/null
        wait "$probe_pid" 2>/dev/null
        printf "%-8s audiod : CPU %6s %% of one core, %5s wakeups/s, peak RSS %5s KiB, sound-server libraries: %s; stream: %s\n" \
                "$name" "$cpu_pct" "$wakeups" "$rss" "$libs" "$(sed 's/ gap_ms.*//; s/frames=[0-9]* //' "$tmp/probe-$name.out")"
        printf "%-8s audiod : at the end, KiB: %s; threads %d\n" "$name" "$breakdown" "$threads"

        arecord -q -D "$dev" -f S16_LE -r 16000 -c 1 --period-time=20000 --buffer-time=400000 -t raw \
                -d $((window + 3)) >/dev/null 2>"$tmp/arecord-$name.err" &
        rec_pid=$!
        pids="$pids $rec_pid"
        sleep 1
        if ! kill -0 "$rec_pid" 2>/dev/null; then
                echo "$name: arecord does not record from '$dev': $(tail -n 2 "$tmp/arecord-$name.err")"
                return
        fi
        measure "$rec_pid"
        kill "$rec_pid"; wait "$rec_pid" 2>/dev/null
        printf "%-8s arecord: CPU %6s %% of one core, %5s wakeups/s, peak RSS %5s KiB, sound-server libraries: %s\n" \
                "$name" "$cpu_pct" "$wakeups" "$rss" "$libs"
        printf "%-8s arecord: at the end, KiB: %s; threads %d\n" "$name" "$breakdown" "$threads"
}

echo "audiod and arecord on the same device, ${window} s each, one after the other; audiod with one client"
stack_bus "$tmp"

# stop_from PIDS — stops the processes started since $pids was PIDS (one path's server).
stop_from() {
        local p started=${pids#"$1"}
        for p in $started; do kill "$p" 2>/dev/null; done
        for p in $started; do wait "$p" 2>/dev/null; done
        pids=$1
}

# vhtest: a sine at half of full scale, like the servers' tone. One second, looped (440 whole
# cycles, so the loop has no seam): the plugin holds its file in memory, which a card's hw: PCM
# does not, and a 10 s file would add 313 KiB to audiod's "other anon".
mkdir -p "$tmp/vhtest"
sox -n -r 16000 -c 1 -b 16 -t raw "$tmp/tone.raw" synth 1 sine 440 vol 0.5
"$src/tests/alsa/make-conf.sh" "$build/tests/alsa" "$tmp/tone.raw" "$tmp/vhtest/switch" 'eof "loop"' >"$tmp/vhtest/asound.conf"
export HOME="$tmp/vhtest" XDG_CONFIG_HOME="$tmp/vhtest"
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$tmp/vhtest/asound.conf"
bench_path vhtest vhtest
unset ALSA_CONFIG_PATH

n=$pids
if pulse_setup "$tmp/pulse" && pulse_start; then
        bench_path pulse mic
else
        echo "pulse: not measured: $sound_server_missing"
fi
stop_from "$n"

n=$pids
if pipewire_setup "$tmp/pipewire" && pipewire_start; then
        bench_path pipewire mic
else
        echo "pipewire: not measured: $sound_server_missing"
fi
stop_from "$n"
exit 0
