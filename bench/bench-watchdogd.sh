#!/bin/bash
# bench-watchdogd.sh — watchdogd's own cost while all is well, and how fast a killed service
# answers on the bus again. The whole stack runs under `watchdogd --supervise` on a private bus
# with the shipped rules (watchdogd/watchdogd.json), audio from the vhtest plugin.
#   CPU %        on-CPU time of watchdogd (/proc/PID/schedstat) / wall time over a steady-state window (goal ≤ 0.2 %)
#   wakeups/s    context switches of watchdogd (voluntary + involuntary) per second (goal ≤ 2)
#   kill -9 → answering: SIGKILL of each daemon until its name answers Peer.Ping again
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
. "$src/tests/lib/stack.sh"
case $build in /*) ;; *) build="$src/$build" ;; esac
window=${BENCH_WINDOW_SECONDS:-30}

for tool in busctl dbus-daemon; do
        command -v $tool >/dev/null || { echo "bench-watchdogd: $tool is not installed"; exit 1; }
done
stack_tmpdir voicehvac-bench-wd

head -c 64000 /dev/zero >"$tmp/silence.raw"
vhtest_alsa_env "$tmp" "$tmp/silence.raw"
cat >"$tmp/audiod.json" <<JSON
{ "device": "vhtest", "mixer_device": "vhtest", "unmute_group": "root" }
JSON
# The shipped rules, with this build's binaries.
/usr/bin/python3 - "$src/watchdogd/watchdogd.json" "$tmp/watchdogd.json" "$build" "$tmp" "$src" <<'PY'
import json, sys
conf, out, build, tmp, src = sys.argv[1:]
c = json.load(open(conf))
c["audiod"]["exec"] = [f"{build}/audiod/audiod", "--config", f"{tmp}/audiod.json"]
c["hvacd"]["exec"] = [f"{build}/hvacd/hvacd"]
c["wakeword"]["exec"] = [f"{build}/wakeword/wakeword"]
c["budget_file"] = f"{src}/cgroups/budget.json"
json.dump(c, open(out, "w"), indent=1)
PY

stack_supervise "$tmp/watchdogd.json"
all_ok() {
        [ "$(stack_health | grep -o '"State" s "ok"' | wc -l)" -ge 4 ]
}
end=$((SECONDS + 60))
until all_ok; do
        [ $SECONDS -lt $end ] || { echo "bench-watchdogd: the stack did not come up"; tail "$tmp/watchdogd.log"; exit 1; }
        sleep 0.5
done
sleep 3

sample() {      # prints "cpu_ns ctxt_switches" (schedstat: on-CPU time in ns, finer than clock ticks)
        echo "$(awk '{print $1}' "/proc/$watchdogd_pid/schedstat") $(awk '/ctxt_switches/ {s += $2} END {print s}' "/proc/$watchdogd_pid/status")"
}
read -r c0 w0 < <(sample)
t0=$(date +%s%N)
sleep "$window"
read -r c1 w1 < <(sample)
t1=$(date +%s%N)
/usr/bin/python3 - "$c0" "$c1" "$w0" "$w1" "$t0" "$t1" <<'PY'
import sys
c0, c1, w0, w1, t0, t1 = map(int, sys.argv[1:])
secs = (t1 - t0) / 1e9
print(f"watchdogd steady state over {secs:.0f} s: CPU {100 * (c1 - c0) / 1e9 / secs:.3f} % (goal ≤ 0.2 %), "
      f"wakeups {(w1 - w0) / secs:.2f}/s (goal ≤ 2/s)")
PY

for svc in audiod:org.voicehvac.Audio1 hvacd:org.voicehvac.Hvac1 wakeword:org.voicehvac.WakeWord1; do
        name=${svc%%:*}; busname=${svc#*:}
        pid=$(stack_health_pid "$name")
        [ -n "$pid" ] || { echo "$name: no pid"; continue; }
        start=$(date +%s%N)
        kill -KILL "$pid"
        # The old owner may still answer for an instant: wait for the name to change hands.
        until busctl --address="$bus" call "$busname" / org.freedesktop.DBus.Peer Ping >/dev/null 2>&1 &&
              [ "$(busctl --address="$bus" call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                   GetConnectionUnixProcessID s "$busname" 2>/dev/null | awk '{print $2}')" != "$pid" ]; do
                [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 10000 ] || break
                sleep 0.005
        done
        echo "$name: kill -9 → answering Ping on the bus again in $(( ($(date +%s%N) - start) / 1000000 )) ms"
        sleep 1
done
