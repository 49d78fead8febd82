# watchdogd under systemd, last so that it cannot restart anything the checks above break on
# purpose: its unit starts and stops, its interface matches the contract, it reports health.
if [ ! -f /usr/lib/systemd/system/voicehvac-watchdogd.service ]; then
        result skip "watchdogd: systemctl start" "voicehvac-watchdogd.service is not installed"
        return 0
fi
for s in audiod hvacd wakeword; do
        systemctl reset-failed "voicehvac-$s.service" 2>/dev/null
        ensure_active "$s"
done
check "watchdogd: systemctl start" systemctl start voicehvac-watchdogd.service
check "watchdogd: in voicehvac-watchdog.slice" \
        test "$(unit_prop voicehvac-watchdogd.service ControlGroup)" = /voicehvac.slice/voicehvac-watchdog.slice/voicehvac-watchdogd.service
# Like every voicehvac unit but audiod's, watchdogd's sandbox refuses the sound devices — it
# reads /proc/asound instead.
if [ -e /dev/snd/controlC0 ]; then
        out=$(in_unit_cgroup voicehvac-watchdogd.service sh -c 'exec 3<"$1"' sh /dev/snd/controlC0 2>&1)
        check "watchdogd: /dev/snd/controlC0 inside voicehvac-watchdogd.service: EPERM from the device policy" \
                grep -q 'Operation not permitted' <<<"$out"
fi
busctl --xml-interface introspect org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 >"$res/live-Watchdog1.xml" 2>&1
check "watchdogd: mallory may ask for the health" \
        runuser -u mallory -- busctl call org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 org.voicehvac.Watchdog1 GetHealth
busctl call org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 org.voicehvac.Watchdog1 GetHealth >"$res/health.txt" 2>&1
check "watchdogd: GetHealth names the three services" \
        eval "grep -q audiod '$res/health.txt' && grep -q hvacd '$res/health.txt' && grep -q wakeword '$res/health.txt'"
sleep 5
check "watchdogd: still active after 5 s" systemctl is-active -q voicehvac-watchdogd.service
# Pressure is judged on the hub's own cgroup: a machine kept busy by work outside the hub (twice
# as many busy loops as CPUs, in system.slice) is no reason to call the hub degraded.
check "watchdogd: pressure is judged on voicehvac.slice's own figures" \
        eval "journalctl -u voicehvac-watchdogd.service --no-pager | grep -q 'judged on the hub.s cgroup /sys/fs/cgroup/voicehvac.slice'"
systemd-run --quiet --unit=busy-outside --slice=system.slice \
        sh -c "for i in \$(seq $((2 * $(nproc)))); do (while :; do :; done) & done; wait"
sleep 12
figure "busy outside the hub, avg10: machine $(sed -n 's/^some avg10=\([0-9.]*\).*/cpu some \1%/p' /proc/pressure/cpu), hub $(sed -n 's/^some avg10=\([0-9.]*\).*/cpu some \1%/p' /sys/fs/cgroup/voicehvac.slice/cpu.pressure)"
busctl call org.voicehvac.Watchdog1 /org/voicehvac/Watchdog1 org.voicehvac.Watchdog1 GetHealth >"$res/health-busy.txt" 2>&1
systemctl stop busy-outside.service
check "watchdogd: the hub stays ok while work outside it keeps the machine busy" \
        grep -q '"system" [0-9]* "State" s "ok"' "$res/health-busy.txt"
# A frozen service (SIGSTOP: alive, but it answers nothing) is what watchdogd is for: it misses
# its pings and watchdogd asks systemd to restart the unit, before the unit's own WatchdogSec=.
busctl monitor --json=short org.voicehvac.Watchdog1 >"$res/watchdog-monitor.json" 2>&1 &
monitor=$!
sleep 1
since=$(date '+%Y-%m-%d %H:%M:%S')
frozen=$(main_pid voicehvac-hvacd.service)
kill -STOP "$frozen"
check "watchdogd: a frozen hvacd is restarted" \
        wait_for 60 eval "[ \"\$(main_pid voicehvac-hvacd.service)\" != $frozen ] && systemctl is-active -q voicehvac-hvacd.service"
sleep 2
kill $monitor 2>/dev/null; wait $monitor 2>/dev/null
journalctl -u voicehvac-watchdogd.service --since "$since" --no-pager >"$res/watchdogd-restart.txt" 2>&1
check "watchdogd: systemd accepted its RestartUnit (no refusal logged)" \
        eval "! grep -q 'RestartUnit(voicehvac-hvacd.service) failed' '$res/watchdogd-restart.txt'"
check "watchdogd: it announced ServiceRestarted for hvacd" \
        eval "grep ServiceRestarted '$res/watchdog-monitor.json' | grep -q hvacd"

pid=$(main_pid voicehvac-watchdogd.service)
figure "watchdogd RSS: $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status") KiB"
check "watchdogd: systemctl stop" systemctl stop voicehvac-watchdogd.service
check "watchdogd: stopped cleanly (Result=success)" test "$(unit_prop voicehvac-watchdogd.service Result)" = success
