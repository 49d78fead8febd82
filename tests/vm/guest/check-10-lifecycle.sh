# systemctl start/stop/restart/status of each service, on the installed units and slices.
services="audiod hvacd wakeword"
declare -A busname=([audiod]=org.voicehvac.Audio1 [hvacd]=org.voicehvac.Hvac1 [wakeword]=org.voicehvac.WakeWord1)
declare -A slice=([audiod]=voicehvac-audio.slice [hvacd]=voicehvac-hvac.slice [wakeword]=voicehvac-wakeword.slice)

name_owned() { busctl status "$1" >/dev/null 2>&1; }

# The installed units and slices, verified by the systemd that runs them.
units=$(cd /usr/lib/systemd/system && ls -- voicehvac-audiod.service voicehvac-hvacd.service voicehvac-wakeword.service voicehvac-watchdogd.service voicehvac*.slice 2>/dev/null)
# shellcheck disable=SC2086
(cd /usr/lib/systemd/system && systemd-analyze verify $units) >"$res/verify.txt" 2>&1
verify_rc=$?
check "systemd-analyze verify: $(echo $units | wc -w) installed units, no complaint" \
        eval "[ $verify_rc -eq 0 ] && ! grep -q . '$res/verify.txt'"

for s in $services; do
        check "$s: systemctl start" systemctl start "voicehvac-$s.service"
        check "$s: active, its bus name owned" name_owned "${busname[$s]}"
        check "$s: runs as its own user voicehvac-$s" test "$(stat -c %U "/proc/$(main_pid voicehvac-$s.service)")" = "voicehvac-$s"
        check "$s: in ${slice[$s]}" test "$(unit_prop voicehvac-$s.service ControlGroup)" = "/voicehvac.slice/${slice[$s]}/voicehvac-$s.service"
done
for s in $services; do
        systemctl status --no-pager "voicehvac-$s.service" >"$res/status-$s.txt" 2>&1
        check "$s: systemctl status says active (running)" grep -q 'Active: active (running)' "$res/status-$s.txt"
done
# Stopped in reverse order: wakeword wants audiod, and would pull it back in if it restarted.
for s in wakeword hvacd audiod; do
        check "$s: systemctl stop" systemctl stop "voicehvac-$s.service"
        check "$s: inactive after stop, name released" \
                eval "test \"\$(unit_prop voicehvac-$s.service ActiveState)\" = inactive && ! name_owned ${busname[$s]}"
        # A daemon stopped with SIGTERM exits 0, so the unit did not fail.
        check "$s: stopped cleanly (Result=success)" test "$(unit_prop voicehvac-$s.service Result)" = success
done
# What wakeword adapted to outlives it: the cepstral mean, written on the way out.
check "wakeword: kept its cepstral mean in /var/lib/voicehvac/wakeword" test -s /var/lib/voicehvac/wakeword/wakeword-cmn
for s in $services; do
        systemctl start "voicehvac-$s.service"
        before=$(main_pid "voicehvac-$s.service")
        check "$s: systemctl restart" systemctl restart "voicehvac-$s.service"
        after=$(main_pid "voicehvac-$s.service")
        check "$s: a new process after restart, name owned" \
                eval "test '$after' != 0 -a '$after' != '$before' && name_owned ${busname[$s]}"
done

# Network: none for any unit; hvacd's http backend gets its adapter's address alone, through the
# drop-in the generator writes from hvacd.json at daemon-reload.
for s in audiod hvacd wakeword watchdogd; do
        check "$s: IPAddressDeny=any" grep -q '0.0.0.0/0\|any' <<<"$(systemctl show -P IPAddressDeny "voicehvac-$s.service")"
done
check "hvacd: backend sim, no IPAddressAllow" test -z "$(systemctl show -P IPAddressAllow voicehvac-hvacd.service)"
cp /etc/voicehvac/hvacd.json "$res/hvacd.json.orig"
sed -i 's/"backend": *"[a-z]*"/"backend": "http"/; s|"url": *"[^"]*"|"url": "http://192.0.2.7:8080"|' /etc/voicehvac/hvacd.json
systemctl daemon-reload
check "hvacd: backend http, the generator's drop-in is in place" \
        test -s /run/systemd/generator/voicehvac-hvacd.service.d/50-network.conf
check "hvacd: backend http, IPAddressAllow= the adapter (192.0.2.7)" \
        grep -q '192.0.2.7' <<<"$(systemctl show -P IPAddressAllow voicehvac-hvacd.service)"
check "hvacd: backend http, AF_INET and AF_INET6 allowed" \
        grep -q 'AF_INET6' <<<"$(systemctl show -P RestrictAddressFamilies voicehvac-hvacd.service)"
cp "$res/hvacd.json.orig" /etc/voicehvac/hvacd.json
systemctl daemon-reload
check "hvacd: back to sim, no IPAddressAllow again" test -z "$(systemctl show -P IPAddressAllow voicehvac-hvacd.service)"
