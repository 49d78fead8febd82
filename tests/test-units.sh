#!/bin/bash
# The installed systemd integration, checked on the build machine (the VM suite, make check-vm,
# runs it under a real systemd): `make install` lays out every file, systemd-analyze verify
# accepts the units and slices with no warning, the sandbox rules the design relies on are in
# the units (only audiod may open sound devices, only hvacd IR devices), their exposure stays
# low, and the slices carry the numbers of cgroups/budget.json (the one source of them; watchdogd
# reads it where there is no systemd). The bus policy is exercised by test-authorization.
set -u
build=${VH_BUILD:-build}
src=${VH_SRCDIR:-.}
tmp=$(mktemp -d /tmp/test-units-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$src/tests/lib/check.sh"

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed"; exit 77; }

# --- make install --------------------------------------------------------------------------
root="$tmp/root"
sanitize=0; case $build in *asan*) sanitize=1 ;; esac
if ! make --no-print-directory -s -C "$src" install DESTDIR="$root" PREFIX=/usr BUILD="$build" \
        SANITIZE=$sanitize >"$tmp/install.log" 2>&1; then
        cat "$tmp/install.log"; echo "FAIL: make install"; exit 1
fi
units="$root/usr/lib/systemd/system"
for f in usr/libexec/voicehvac/audiod usr/libexec/voicehvac/hvacd usr/libexec/voicehvac/wakeword \
         usr/lib/systemd/system/voicehvac-audiod.service usr/lib/systemd/system/voicehvac-hvacd.service \
         usr/lib/systemd/system/voicehvac-wakeword.service usr/lib/systemd/system/voicehvac.slice \
         usr/lib/systemd/system/voicehvac-audio.slice usr/lib/systemd/system/voicehvac-wakeword.slice \
         usr/lib/systemd/system/voicehvac-hvac.slice usr/lib/sysusers.d/voicehvac.conf \
         usr/share/dbus-1/system.d/org.voicehvac.Audio1.conf usr/share/dbus-1/system.d/org.voicehvac.Hvac1.conf \
         usr/share/dbus-1/system.d/org.voicehvac.WakeWord1.conf usr/share/polkit-1/actions/org.voicehvac.policy \
         usr/share/polkit-1/rules.d/voicehvac.rules \
         usr/share/dbus-1/interfaces/org.voicehvac.Audio1.xml usr/share/dbus-1/interfaces/org.voicehvac.Hvac1.xml \
         usr/share/dbus-1/interfaces/org.voicehvac.WakeWord1.xml usr/share/voicehvac/commands.gram \
         etc/voicehvac/audiod.json etc/voicehvac/hvacd.json etc/voicehvac/wakeword.json \
         usr/libexec/voicehvac/mqttd usr/lib/systemd/system/voicehvac-mqttd.service usr/lib/systemd/system/voicehvac-mqtt.slice \
         usr/share/dbus-1/system.d/org.voicehvac.Mqtt1.conf usr/share/dbus-1/interfaces/org.voicehvac.Mqtt1.xml \
         etc/voicehvac/mqttd.json; do
        check "installed: /$f" test -s "$root/$f"
done
for f in "$src"/wakeword/*.gram "$src"/wakeword/*.txt; do
        check "installed: /usr/share/voicehvac/${f##*/}" cmp -s "$f" "$root/usr/share/voicehvac/${f##*/}"
done
for b in "$root"/usr/libexec/voicehvac/*; do
        check "$b is executable" test -x "$b"
done
# An edited configuration survives a second install; the new defaults go beside it.
echo '{ "device": "hw:7" }' >"$root/etc/voicehvac/audiod.json"
make --no-print-directory -s -C "$src" install DESTDIR="$root" PREFIX=/usr BUILD="$build" SANITIZE=$sanitize \
        >"$tmp/install2.log" 2>&1
check "a second install succeeds" test $? = 0
check "a second install keeps the edited audiod.json" grep -q '"hw:7"' "$root/etc/voicehvac/audiod.json"
check "and puts the defaults beside it as audiod.json.new" cmp -s "$src/audiod/audiod.json" "$root/etc/voicehvac/audiod.json.new"
check "and says so" grep -q "keeping .*audiod.json" "$tmp/install2.log"
# Another PREFIX: the installed configuration names that PREFIX's files.
make --no-print-directory -s -C "$src" install DESTDIR="$tmp/local" PREFIX=/usr/local BUILD="$build" \
        SANITIZE=$sanitize >"$tmp/install3.log" 2>&1
check "PREFIX=/usr/local installs" test $? = 0
check "PREFIX=/usr/local: watchdogd.json starts /usr/local/libexec/voicehvac/*" \
        grep -q '"/usr/local/libexec/voicehvac/audiod"' "$tmp/local/etc/voicehvac/watchdogd.json"
check "PREFIX=/usr/local: watchdogd.json's budget is /usr/local/share/voicehvac/budget.json" \
        grep -q '"/usr/local/share/voicehvac/budget.json"' "$tmp/local/etc/voicehvac/watchdogd.json"
check "PREFIX=/usr/local: no installed configuration names /usr/libexec or /usr/share/voicehvac" \
        bash -c '! grep -l "\"/usr/libexec/\|\"/usr/share/voicehvac" "$0"/etc/voicehvac/*.json' "$tmp/local"

# --- hvacd's network: none, unless its configuration selects the http backend --------------
gen="$root/usr/lib/systemd/system-generators/voicehvac-network-generator"
check "installed: the generator of hvacd's and mqttd's network drop-ins" test -x "$gen"
dropin() { # dropin [DAEMON] CONFIG-TEXT — runs the generator on that configuration of DAEMON
        local daemon=hvacd d         # (hvacd by default), prints that daemon's drop-in
        [ $# -gt 1 ] && { daemon=$1; shift; }
        d=$(mktemp -d "$tmp/gen-XXXXXX")
        printf '%s\n' "$1" >"$d/$daemon.json"
        VOICEHVAC_LIBEXECDIR="$root/usr/libexec/voicehvac" VOICEHVAC_CONFDIR="$d" "$gen" "$d/out" &&
                cat "$d/out/voicehvac-$daemon.service.d/50-network.conf" 2>/dev/null
}
out=$(dropin '{ "backend": "sim" }')
check "generator, backend sim: a drop-in that opens nothing" eval '[ -n "$out" ] && ! grep -q "^[A-Z]" <<<"$out"'
out=$(dropin '{ "backend": "http", "http": { "url": "http://192.0.2.7:8080" } }')
check "generator, backend http: AF_INET AF_INET6" grep -qx 'RestrictAddressFamilies=AF_INET AF_INET6' <<<"$out"
check "generator, backend http: IP to the adapter only" grep -qx 'IPAddressAllow=192.0.2.7' <<<"$out"
out=$(dropin '{ "backend": "http", "http": { "url": "http://[2001:db8::7]/" } }')
check "generator, an IPv6 adapter: IPAddressAllow=2001:db8::7" grep -qx 'IPAddressAllow=2001:db8::7' <<<"$out"
out=$(dropin '{ "backend": "http", "http": { "url": "ftp://x" } }')
check "generator, a configuration hvacd refuses: no drop-in, no network" test -z "$out"
httproot="$tmp/httproot"
cp -a "$root" "$httproot"
mkdir -p "$httproot/etc/systemd/system/voicehvac-hvacd.service.d"
dropin '{ "backend": "http", "http": { "url": "http://192.0.2.7" } }' \
        >"$httproot/etc/systemd/system/voicehvac-hvacd.service.d/50-network.conf"
checks=$((checks + 1))
if ! systemd-analyze security --offline=yes --root="$httproot" --threshold=20 voicehvac-hvacd.service \
        >"$tmp/security-http.log" 2>&1; then
        fail "voicehvac-hvacd.service with the http drop-in: $(tail -n1 "$tmp/security-http.log")"
fi
echo "# with the http drop-in: $(tail -n1 "$tmp/security-http.log")"

# --- mqttd's network: localhost, where the default broker is, or the configured broker alone ----
out=$(dropin mqttd '{ "broker": "mqtt://192.0.2.9:1883" }')
check "generator, mqttd's broker 192.0.2.9: the unit's localhost dropped" grep -qx 'IPAddressAllow=' <<<"$out"
check "generator, mqttd's broker 192.0.2.9: IPAddressAllow=192.0.2.9 alone" \
        test "$(grep '^IPAddressAllow=.' <<<"$out")" = IPAddressAllow=192.0.2.9
out=$(dropin mqttd '{ "broker": "mqtts://[2001:db8::9]:8883" }')
check "generator, an IPv6 broker: IPAddressAllow=2001:db8::9" grep -qx 'IPAddressAllow=2001:db8::9' <<<"$out"
out=$(dropin mqttd '{ "broker": "mqtt://broker.example" }')
check "generator, a broker named by host: IP not limited (DNS), and it says so" \
        eval 'grep -qx "IPAddressAllow=any" <<<"$out" && grep -q "^# .*needs DNS" <<<"$out"'
out=$(dropin mqttd '{ "broker": "mqtt://localhost:1883" }')
check "generator, a broker on localhost: the loopback addresses alone, no DNS needed" \
        eval 'test "$(grep "^IPAddressAllow=." <<<"$out")" = IPAddressAllow=localhost && ! grep -q "needs DNS" <<<"$out"'
out=$(dropin '{ "backend": "http", "http": { "url": "http://LOCALHOST:8080" } }')
check "generator, an http adapter on localhost: IPAddressAllow=localhost" grep -qx 'IPAddressAllow=localhost' <<<"$out"
out=$(dropin mqttd '{ "broker": "ftp://x" }')
check "generator, a configuration mqttd refuses: no drop-in, localhost only" test -z "$out"
gd=$(mktemp -d "$tmp/gen-XXXXXX")
echo '{ "broker": "mqtt://192.0.2.9" }' >"$gd/mqttd.json"
VOICEHVAC_LIBEXECDIR="$root/usr/libexec/voicehvac" VOICEHVAC_CONFDIR="$gd" "$gen" "$gd/out"
check "generator, mqttd.json alone: mqttd's drop-in, none for hvacd" \
        eval 'test -s "$gd/out/voicehvac-mqttd.service.d/50-network.conf" && test ! -e "$gd/out/voicehvac-hvacd.service.d"'
out=$(cat "$gd/out/voicehvac-mqttd.service.d/50-network.conf")
mkdir -p "$httproot/etc/systemd/system/voicehvac-mqttd.service.d"
printf '%s\n' "$out" >"$httproot/etc/systemd/system/voicehvac-mqttd.service.d/50-network.conf"
checks=$((checks + 1))
if ! systemd-analyze security --offline=yes --root="$httproot" --threshold=20 voicehvac-mqttd.service \
        >"$tmp/security-mqtt.log" 2>&1; then
        fail "voicehvac-mqttd.service with the broker drop-in: $(tail -n1 "$tmp/security-mqtt.log")"
fi
echo "# mqttd with the broker drop-in: $(tail -n1 "$tmp/security-mqtt.log")"

services=$(cd "$units" && ls -- *.service)
slices=$(cd "$units" && ls -- voicehvac*.slice)

# --- systemd-analyze verify, against the host's own units (dbus.socket, targets) -----------
cp -an /lib/systemd/system/. "$units/" 2>/dev/null
# shellcheck disable=SC2086
(cd "$units" && systemd-analyze verify --root="$root" $(for u in $services $slices; do echo "$units/$u"; done)) \
        >"$tmp/verify.log" 2>&1
rc=$?
checks=$((checks + 1))
if [ $rc -ne 0 ] || grep -E "$(echo $services $slices | tr ' ' '|')" "$tmp/verify.log" | grep -q .; then
        fail "systemd-analyze verify (exit $rc):"; sed 's/^/    /' "$tmp/verify.log"
fi

# --- what each unit must say ----------------------------------------------------------------
# prop UNIT KEY — every value of KEY in the installed unit, one per line.
prop() { sed -n "s/^$2=//p" "$units/$1"; }
for s in $services; do
        check "$s: Type=notify" test "$(prop "$s" Type)" = notify
        check "$s: BusName=org.voicehvac.*" grep -qx 'org\.voicehvac\.[A-Za-z]*1' <<<"$(prop "$s" BusName)"
        check "$s: WatchdogSec=" test -n "$(prop "$s" WatchdogSec)"
        check "$s: Restart=on-failure" test "$(prop "$s" Restart)" = on-failure
        check "$s: StartLimitBurst=" test -n "$(prop "$s" StartLimitBurst)"
        check "$s: StartLimitIntervalSec=" test -n "$(prop "$s" StartLimitIntervalSec)"
        slice=$(prop "$s" Slice)
        check "$s: Slice=voicehvac-*.slice installed" test -n "$slice" -a -f "$units/$slice"
        # Each daemon runs as its own user, with no capabilities.
        d=${s#voicehvac-}; d=${d%.service}
        check "$s: User=voicehvac-$d" test "$(prop "$s" User)" = "voicehvac-$d"
        check "$s: no capabilities" grep -qx '' <<<"$(prop "$s" CapabilityBoundingSet)"
        check "$s: Alias=$d.service" test "$(prop "$s" Alias)" = "$d.service"
        check "$s: DevicePolicy=closed" test "$(prop "$s" DevicePolicy)" = closed
        for k in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes; do
                check "$s: $k" test "$(prop "$s" "${k%%=*}")" = "${k#*=}"
        done
        check "$s: RestrictAddressFamilies=" test -n "$(prop "$s" RestrictAddressFamilies)"
        case $s in
        voicehvac-mqttd.service)
                # IP, and nothing but AF_UNIX and IP; to localhost alone unless the generator's
                # drop-in names the broker.
                check "$s: AF_UNIX AF_INET AF_INET6 only" \
                        test "$(prop "$s" RestrictAddressFamilies)" = "AF_UNIX AF_INET AF_INET6"
                check "$s: IPAddressDeny=any" test "$(prop "$s" IPAddressDeny)" = any
                check "$s: IPAddressAllow=localhost alone" test "$(prop "$s" IPAddressAllow)" = localhost ;;
        voicehvac-audiod.service)
                check "$s: no IP (IPAddressDeny=any)" test "$(prop "$s" IPAddressDeny)" = any
                check "$s: AF_UNIX and, for udev, AF_NETLINK only" test "$(prop "$s" RestrictAddressFamilies)" = "AF_UNIX AF_NETLINK" ;;
        *)
                check "$s: no IP (IPAddressDeny=any)" test "$(prop "$s" IPAddressDeny)" = any
                check "$s: AF_UNIX only" test "$(prop "$s" RestrictAddressFamilies)" = AF_UNIX ;;
        esac
        check "$s: SystemCallFilter=" test -n "$(prop "$s" SystemCallFilter)"
        check "$s: ExecStart= in /usr/libexec/voicehvac" grep -q '^/usr/libexec/voicehvac/' <<<"$(prop "$s" ExecStart)"
        alsa=$(prop "$s" DeviceAllow | grep -c 'alsa\|/dev/snd')
        if [ "$s" = voicehvac-audiod.service ]; then
                check "voicehvac-audiod.service: DeviceAllow=char-alsa rw" test "$(prop "$s" DeviceAllow)" = "char-alsa rw"
                check "voicehvac-audiod.service: StateDirectory=voicehvac/$d" test "$(prop "$s" StateDirectory)" = "voicehvac/$d"
        else
                check "$s: no sound device may be allowed" test "$alsa" -eq 0
        fi
        case $s in
        voicehvac-hvacd.service)
                check "voicehvac-hvacd.service: DeviceAllow=char-lirc rw only" test "$(prop "$s" DeviceAllow)" = "char-lirc rw"
                check "voicehvac-hvacd.service: StateDirectory=voicehvac/$d" test "$(prop "$s" StateDirectory)" = "voicehvac/$d" ;;
        voicehvac-wakeword.service)
                check "voicehvac-wakeword.service: no device at all" test "$(prop "$s" PrivateDevices)" = yes
                check "voicehvac-wakeword.service: StateDirectory=voicehvac/$d" test "$(prop "$s" StateDirectory)" = "voicehvac/$d" ;;
        voicehvac-mqttd.service)
                check "voicehvac-mqttd.service: no device at all" test "$(prop "$s" PrivateDevices)" = yes ;;
        esac
        # Exposure as systemd rates it, 0 (locked down) … 100 (unconfined): stay well under 2.0.
        checks=$((checks + 1))
        if ! systemd-analyze security --offline=yes --root="$root" --threshold=20 "$units/$s" >"$tmp/security.log" 2>&1; then
                fail "$s: exposure above 2.0: $(tail -n1 "$tmp/security.log")"
        fi
done

# Each slice limits memory and swap; the audio slice has the highest CPU weight; wakeword is capped.
weight() { prop "$1" CPUWeight; }
for sl in $slices; do
        check "$sl: MemoryMax=" test -n "$(prop "$sl" MemoryMax)"
        check "$sl: MemoryHigh=" test -n "$(prop "$sl" MemoryHigh)"
        check "$sl: MemorySwapMax=0" test "$(prop "$sl" MemorySwapMax)" = 0
        [ "$sl" = voicehvac.slice ] || [ "$sl" = voicehvac-audio.slice ] && continue
        check "$sl: CPUWeight below the audio slice's" test "$(weight "$sl")" -lt "$(weight voicehvac-audio.slice)"
done
check "voicehvac-wakeword.slice: CPUQuota=" test -n "$(prop voicehvac-wakeword.slice CPUQuota)"

# --- the slices carry cgroups/budget.json's numbers ---------------------------------------------
budget="$src/cgroups/budget.json"
declare -A slice_of=([audiod]=voicehvac-audio.slice [wakeword]=voicehvac-wakeword.slice
                     [hvacd]=voicehvac-hvac.slice [mqttd]=voicehvac-mqtt.slice [watchdogd]=voicehvac-watchdog.slice)
if [ -f "$budget" ]; then
        # One "service key value" line per number.
        /usr/bin/python3 -c 'import json, sys
for svc, keys in json.load(open(sys.argv[1])).items():
    for k, v in keys.items():
        print(svc, k, v)' "$budget" >"$tmp/budget.txt"
        check "budget.json has all five services" test "$(cut -d' ' -f1 "$tmp/budget.txt" | sort -u | wc -l)" -eq 5
        while read -r svc key value; do
                sl=${slice_of[$svc]:-}
                checks=$((checks + 1))
                [ -n "$sl" ] || { fail "budget.json: unknown service '$svc'"; continue; }
                case $key in
                cpu_weight)          want="CPUWeight=$value" ;;
                cpu_quota_percent)   want="CPUQuota=$value%"; [ "$value" = 0 ] && want="CPUQuota=" ;;
                memory_high_mib)     want="MemoryHigh=${value}M" ;;
                memory_max_mib)      want="MemoryMax=${value}M" ;;
                memory_swap_max_mib) want="MemorySwapMax=${value}M"; [ "$value" = 0 ] && want="MemorySwapMax=0" ;;
                *) fail "budget.json: key '$key' has no slice setting here"; continue ;;
                esac
                grep -qx "$want" "$units/$sl" || fail "$sl: budget.json's $svc.$key is $value, so $want; the slice has '$(grep "^${want%%=*}=" "$units/$sl")'"
        done <"$tmp/budget.txt"
else
        echo "note: cgroups/budget.json not present, slice numbers not compared"
fi

checks_done
