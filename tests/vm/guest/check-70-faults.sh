# Faults: kill -9 of each service → systemd restarts it, with its state (hvacd's target, audiod's
# mute) kept; a unit pushed over its MemoryMax is OOM-killed and restarted; a crash loop stops at
# the start limit instead of spinning.
nrestarts() { unit_prop "$1" NRestarts; }

for s in audiod hvacd wakeword; do
        systemctl reset-failed "voicehvac-$s.service" 2>/dev/null
        ensure_active "$s"
done
busctl call org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 SetTargetTemperature d 26.5
busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b true
sleep 1 # hvacd persists after its coalescing window

for s in audiod hvacd wakeword; do
        pid=$(main_pid "voicehvac-$s.service"); n=$(nrestarts "voicehvac-$s.service")
        if ! [ "$pid" -gt 1 ] 2>/dev/null; then
                result fail "faults: $s killed with SIGKILL is restarted" "$s is not running"
                continue
        fi
        kill -9 "$pid"
        check "faults: $s killed with SIGKILL is restarted" \
                wait_for 30 eval "[ \"\$(nrestarts voicehvac-$s.service)\" -gt $n ] && systemctl is-active -q voicehvac-$s.service"
        check "faults: $s runs as a new process" test "$(main_pid "voicehvac-$s.service")" != "$pid"
done
check "faults: hvacd kept its target temperature (26.5)" wait_for 10 prop_is Hvac1 TargetTemperature 26.5
check "faults: audiod kept the mute" wait_for 10 prop_is Audio1 Muted true
check "faults: wakeword reconnected, muted" wait_for 30 prop_is WakeWord1 State muted
busctl call org.voicehvac.Audio1 /org/voicehvac/Audio1 org.voicehvac.Audio1 SetMute b false

# Over MemoryMax: the limit is lowered under the running daemon (as a leak would raise its
# usage over the limit). The kernel OOM-kills it inside its cgroup, systemd records "oom-kill"
# and restarts it with its unit's limits.
s=voicehvac-hvacd.service
systemctl reset-failed "$s"
pid=$(main_pid "$s"); n=$(nrestarts "$s")
since=$(date '+%Y-%m-%d %H:%M:%S')
echo 64K >"$(unit_cgroup "$s")/memory.max"
check "faults: hvacd over its memory limit is OOM-killed" \
        wait_for 30 eval "journalctl -u $s --since '$since' | grep -q 'oom-kill\\|OOM killer'"
check "faults: and restarted" wait_for 30 eval "[ \"\$(nrestarts $s)\" -gt $n ] && systemctl is-active -q $s"
check "faults: with its slice's limits again" \
        test "$(cat "$(unit_cgroup "$s")/memory.max")" != 65536
check "faults: hvacd answers after the OOM kill" busctl get-property org.voicehvac.Hvac1 /org/voicehvac/Hvac1 org.voicehvac.Hvac1 Power

# A crash loop: the daemon exits at once with a failure (a configuration it cannot read); systemd
# restarts it StartLimitBurst times within StartLimitIntervalSec and then gives up.
burst=$(unit_prop "$s" StartLimitBurst)
mkdir -p "/run/systemd/system/$s.d"
cat >"/run/systemd/system/$s.d/crash-loop.conf" <<CONF
[Service]
ExecStart=
ExecStart=/usr/libexec/voicehvac/hvacd --config /nonexistent/hvacd.json
CONF
systemctl daemon-reload
systemctl reset-failed "$s"
sleep 1
since=$(date '+%Y-%m-%d %H:%M:%S')
systemctl restart "$s"
# systemd 252 keeps Result= of the last failure (exit-code) and says why it stopped in the log.
check "faults: a crash loop ends at the start limit" \
        wait_for 90 eval "journalctl -u $s --since '$since' | grep -q 'Start request repeated too quickly'"
check "faults: the unit stays failed" eval "sleep 3; test \"\$(unit_prop $s ActiveState)\" = failed"
starts=$(journalctl -u "$s" --since "$since" | grep -c 'Starting voicehvac-hvacd')
check "faults: started $burst times (StartLimitBurst), not more" test "$starts" -eq "$burst"
rm -rf "/run/systemd/system/$s.d"
systemctl daemon-reload
systemctl reset-failed "$s"
check "faults: after the fix and reset-failed it starts again" systemctl start "$s"
