# vm: own boot
# An upgrade as a Debian user makes it: the package of 0.1 (units <daemon>.service, one user
# "voicehvac" keeping every daemon's state in /var/lib/voicehvac itself), built by the host from
# that version's tree, installed and used — microphone muted, the air conditioner set away from its
# defaults, wakeword's cepstral mean kept — then this tree's package installed over it with
# apt-get. The state must move to /var/lib/voicehvac/<daemon>/, owned by each daemon's user: the
# microphone stays muted, the air conditioner keeps its state, the old unit names reach the new
# units, and nothing is left where 0.1 kept it. A reboot then shows the same from a cold start.
#
# Two boots of one qemu process: the first installs 0.1, upgrades and reboots; the second checks.
up_services="audiod hvacd wakeword watchdogd"
up_state=/var/lib/voicehvac
boot_id=$(cat /proc/sys/kernel/random/boot_id)
declare -A up_user=([audiod]=voicehvac-audiod [hvacd]=voicehvac-hvacd [wakeword]=voicehvac-wakeword)

up_deb() { local debs=("$share/$1"/voicehvac_*_amd64.deb); echo "${debs[0]}"; }

up_active() { local s; for s in $up_services; do systemctl is-active -q "$1$s.service" || return 1; done; }
up_version() { dpkg-query -W -f='${Version}' voicehvac 2>/dev/null; }
# up_hvac — the air conditioner's state as the bus says it: power mode fan target.
up_hvac() { echo "$(bus_get Hvac1 Power) $(bus_get Hvac1 Mode) $(bus_get Hvac1 FanSpeed) $(bus_get Hvac1 TargetTemperature)"; }
# up_old_files — the state files 0.1 left in /var/lib/voicehvac, "NAME SHA256" a line.
up_old_files() { (cd "$up_state" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort | xargs -r sha256sum | awk '{ print $2, $1 }'); }

# up_moved — every file 0.1 left is now in its daemon's directory, unchanged, owned by its user.
up_moved() {
        local name sum d f bad=0
        while read -r name sum; do
                d=${name%%-*}; f="$up_state/$d/$name"
                if [ ! -f "$f" ]; then echo "$name: not in $up_state/$d/"; bad=1; continue; fi
                # 0.1's wakeword writes its cepstral mean again when the upgrade stops it.
                [ "$d" = wakeword ] || [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sum" ] || { echo "$f: changed"; bad=1; }
                [ "$(stat -c %U "$f")" = "${up_user[$d]}" ] || { echo "$f: owner $(stat -c %U:%G "$f")"; bad=1; }
        done <"$res/upgrade-old-files"
        return $bad
}

# up_after CONTEXT — what must hold once the upgraded package runs, after the upgrade and after a reboot.
up_after() {
        local s d left
        for s in $up_services; do
                check "upgrade: voicehvac-$s.service active ($1)" wait_for 60 systemctl is-active -q "voicehvac-$s.service"
                check "upgrade: $s.service is the alias of voicehvac-$s.service ($1)" \
                        test "$(systemctl show -P Id "$s.service")" = "voicehvac-$s.service"
        done
        systemctl status --no-pager audiod.service >"$res/upgrade-status-audiod.txt" 2>&1
        check "upgrade: systemctl status audiod.service shows voicehvac-audiod.service, running ($1)" \
                eval "head -n1 '$res/upgrade-status-audiod.txt' | grep -q 'voicehvac-audiod\.service' &&
                      grep -q 'Active: active (running)' '$res/upgrade-status-audiod.txt'"
        check "upgrade: the microphone is still muted (Muted, $1)" wait_for 30 prop_is Audio1 Muted true
        check "upgrade: audiod read the moved mute state, no fallback ($1)" \
                eval "! journalctl -b -u voicehvac-audiod.service --no-pager | grep -E 'starting muted|Mute state file'"
        check "upgrade: wakeword read the moved cepstral mean, no fallback ($1)" \
                eval "! journalctl -b -u voicehvac-wakeword.service --no-pager | grep -E 'Cannot read .*wakeword-cmn|Cepstral mean file'"
        check "upgrade: the air conditioner's state is the one set under 0.1 ($1)" \
                test "$(up_hvac)" = "$(cat "$res/upgrade-hvac-old")"
        check "upgrade: the state files moved to their daemons' directories, unchanged, each owned by its user ($1)" up_moved
        for d in audiod hvacd wakeword; do
                check "upgrade: $up_state/$d owned by ${up_user[$d]}, mode 0750 ($1)" \
                        test "$(stat -c '%U %a' "$up_state/$d")" = "${up_user[$d]} 750"
        done
        check "upgrade: $up_state itself is root's, 0755 ($1)" test "$(stat -c '%U:%G %a' "$up_state")" = "root:root 755"
        left=$(find "$up_state" -mindepth 1 -maxdepth 1 ! -type d -printf '%f ')
        check "upgrade: no file left in $up_state itself ($1)" test -z "$left"
        check "upgrade: nothing in $up_state owned by 0.1's user voicehvac ($1)" \
                test -z "$(find "$up_state" -user voicehvac -printf '%p ')"
        for s in $up_services; do
                check "upgrade: 0.1's unit file and enablement of $s.service are gone ($1)" \
                        none_exist "/lib/systemd/system/$s.service" "/etc/systemd/system/multi-user.target.wants/$s.service" \
                                   "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/$s.service" \
                                   "/var/lib/systemd/deb-systemd-helper-enabled/$s.service.dsh-also"
                check "upgrade: /etc/systemd/system/$s.service is the alias link to the new unit ($1)" \
                        test "$(readlink "/etc/systemd/system/$s.service")" = "/lib/systemd/system/voicehvac-$s.service"
        done
        check "upgrade: no process of 0.1's user voicehvac ($1)" eval '! pgrep -u voicehvac'
}

up_first_boot() {
        local old new a
        old=$(up_deb deb-old); new=$(up_deb deb)
        [ -f "$old" ] && [ -f "$new" ] || { result fail "upgrade: both packages are in the share" "old '$old', new '$new'"; return; }
        check "upgrade: a fresh image, without voicehvac" eval '! getent passwd voicehvac && [ ! -e /var/lib/voicehvac ]'

        apt_install "$old" upgrade-apt-old.log
        check "upgrade: apt-get install ./${old##*/} (0.1)" test $? -eq 0
        check "upgrade: dpkg says 0.1 is installed" test "$(up_version)" = 0.1
        check "upgrade: 0.1's units, by their old names, active" wait_for 60 up_active ""
        check "upgrade: 0.1 runs its daemons as user voicehvac" \
                test "$(ps -o user= -p "$(main_pid audiod.service)")" = voicehvac
        check "upgrade: 0.1 enabled its units by the old names" \
                test "$(systemctl is-enabled audiod.service)" = enabled
        # Used as 0.1 was: the microphone muted, the air conditioner away from every default.
        check "upgrade: voicehvacctl mute (0.1)" voicehvacctl mute
        for a in "set temperature 19.5" "set mode heat" "set fan high" "power on"; do
                # shellcheck disable=SC2086
                check "upgrade: voicehvacctl $a (0.1)" voicehvacctl $a
        done
        check "upgrade: 0.1 saved the mute state ($up_state/audiod-mute.json)" \
                wait_for 10 grep -q '"muted": *true' "$up_state/audiod-mute.json"
        check "upgrade: 0.1 saved the air conditioner's state ($up_state/hvacd-state.json)" \
                wait_for 10 eval "grep -q heat '$up_state/hvacd-state.json' && grep -q 19.5 '$up_state/hvacd-state.json'"
        # wakeword keeps its cepstral mean when it stops, as after any restart under 0.1.
        check "upgrade: 0.1's wakeword keeps its cepstral mean on a restart ($up_state/wakeword-cmn)" \
                eval "systemctl restart wakeword.service && [ -s '$up_state/wakeword-cmn' ]"
        up_hvac >"$res/upgrade-hvac-old"
        check "upgrade: the bus says the air conditioner is on, heating at 19.5 (0.1)" \
                grep -q '^true heat high 19.5$' "$res/upgrade-hvac-old"
        check "upgrade: 0.1 keeps its state in $up_state itself, owned by voicehvac" \
                test "$(stat -c %U "$up_state")" = voicehvac
        up_old_files >"$res/upgrade-old-files"
        log "0.1's state files: $(tr '\n' ' ' <"$res/upgrade-old-files")"

        apt_install "$new" upgrade-apt-new.log
        check "upgrade: apt-get install ./${new##*/} over 0.1" test $? -eq 0
        check "upgrade: dpkg says the new version is installed" \
                test "$(up_version)" = "$(dpkg-deb -f "$new" Version)"
        up_after "after the upgrade"
        echo "$boot_id" >"$res/upgrade-boot-1"
        reboot_guest
}

if [ ! -e "$res/upgrade-boot-1" ]; then
        up_first_boot
elif [ ! -e "$res/upgrade-boot-2" ]; then
        echo "$boot_id" >"$res/upgrade-boot-2"
        check "upgrade: the guest rebooted (a new boot id)" test "$(cat "$res/upgrade-boot-1")" != "$boot_id"
        up_after "after a reboot"
else
        result fail "upgrade: the guest booted a third time"
fi
