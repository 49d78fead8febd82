# vm: own boot
# The Debian package as a Debian user installs it, on a fresh image of its own (the other checks'
# make-install tree would be in its way): apt-get install ./voicehvac_…deb offline, a reboot, the
# four services started by systemd at boot, the bus answering, voicehvacctl for a member of the
# voicehvac group, and dpkg --purge leaving no unit, no process and no state.
#
# Two boots of one qemu process (the disk snapshot lasts until qemu exits): the first installs and
# reboots, the second checks and purges. $res/deb-boot-1 holds the first boot's id.
services="audiod hvacd wakeword watchdogd"
units="voicehvac-audiod.service voicehvac-hvacd.service voicehvac-wakeword.service voicehvac-watchdogd.service voicehvac.slice
       voicehvac-audio.slice voicehvac-hvac.slice voicehvac-wakeword.slice voicehvac-watchdog.slice
       voicehvac-mqttd.service voicehvac-mqtt.slice"
declare -A deb_busname=([audiod]=Audio1 [hvacd]=Hvac1 [wakeword]=WakeWord1 [watchdogd]=Watchdog1)
boot_id=$(cat /proc/sys/kernel/random/boot_id)

all_active() { local s; for s in $services; do systemctl is-active -q "voicehvac-$s.service" || return 1; done; }
# check_all_active NAME SECONDS — passes when the four services are active within the time.
check_all_active() {
        local s inactive=
        wait_for "$2" all_active && { result pass "$1"; return; }
        for s in $services; do systemctl is-active -q "voicehvac-$s.service" || inactive+=" $s"; done
        result fail "$1" "not active:$inactive"
}
# no_unit UNIT — nothing is left of the unit: no file, not running, and not loaded (systemd makes
# up any slice it is asked about, without a file: a slice is "loaded" whatever its name).
no_unit() {
        local load active path
        load=$(unit_prop "$1" LoadState); active=$(unit_prop "$1" ActiveState); path=$(unit_prop "$1" FragmentPath)
        echo "$1: LoadState=$load ActiveState=$active FragmentPath=$path"
        case $1 in *.slice) [ "$load" = loaded ] || [ "$load" = not-found ] ;; *) [ "$load" = not-found ] ;; esac &&
                [ "$active" = inactive ] && [ -z "$path" ]
}

deb_install() {
        local debs=("$share"/deb/voicehvac_*_amd64.deb) deb
        deb=${debs[0]}
        [ -f "$deb" ] || { result fail "deb: the package is in the share" "no voicehvac_*_amd64.deb"; return; }
        check "deb: a fresh image, without voicehvac" \
                eval '! getent passwd voicehvac-audiod && none_exist /usr/libexec/voicehvac /etc/voicehvac'
        apt_install "$deb" deb-apt.log
        check "deb: apt-get install ./${deb##*/} (offline, dependencies from the image)" test $? -eq 0
        check "deb: dpkg says installed" \
                test "$(dpkg-query -W -f='${Status}' voicehvac 2>/dev/null)" = "install ok installed"
        for s in $services mqttd; do
                check "deb: user voicehvac-$s exists (sysusers.d, postinst)" getent passwd "voicehvac-$s"
        done
        check "deb: groups voicehvac and voicehvac-audio exist" \
                eval 'getent group voicehvac && getent group voicehvac-audio'
        check "deb: voicehvac-mqttd is in group voicehvac, to change the air conditioner" \
                eval 'id -nG voicehvac-mqttd | grep -qw voicehvac'
        check "deb: the five files in /etc/voicehvac are conffiles" \
                test "$(dpkg-query -W -f='${Conffiles}' voicehvac | grep -c ' /etc/voicehvac/[a-z]*\.json ')" -eq 5
        for s in $services; do
                check "deb: voicehvac-$s.service enabled by the package" test "$(systemctl is-enabled "voicehvac-$s.service")" = enabled
                check "deb: $s.service is its alias" test "$(systemctl show -P Id "$s.service")" = "voicehvac-$s.service"
        done
        # mqttd needs a broker in its configuration first.
        check "deb: voicehvac-mqttd.service installed, not enabled, not started" \
                eval '[ -f /lib/systemd/system/voicehvac-mqttd.service ] && [ "$(systemctl is-enabled voicehvac-mqttd.service)" = disabled ] &&
                      ! systemctl is-active -q voicehvac-mqttd.service'
        check_all_active "deb: the four services started by the installation" 60
        # A member of the group, and a user who is not one.
        useradd -m -G voicehvac alice && useradd -m mallory
        check "deb: test users alice (group voicehvac) and mallory" id alice
}

deb_after_reboot() {
        local s n u
        check "deb: the guest rebooted (a new boot id)" test "$(cat "$res/deb-boot-1")" != "$boot_id"
        check_all_active "deb: all four services active after the reboot" 120
        for s in $services; do
                check "deb: $s started at boot by systemd" \
                        test "$(unit_prop "voicehvac-$s.service" ActiveEnterTimestampMonotonic)" -gt 0
                n=${deb_busname[$s]}
                busctl introspect "org.voicehvac.$n" "/org/voicehvac/$n" >"$res/deb-introspect-$n.txt" 2>&1
                check "deb: busctl introspect org.voicehvac.$n answers with its interface" \
                        grep -q "^org\.voicehvac\.$n  *interface" "$res/deb-introspect-$n.txt"
        done
        runuser -u alice -- voicehvacctl status >"$res/deb-status.txt" 2>&1
        check "deb: voicehvacctl status as alice answers for all four services" \
                eval "[ $? -eq 0 ] && grep -q '^ *Microphone:' '$res/deb-status.txt' && ! grep -q 'n/a (' '$res/deb-status.txt'"
        check "deb: alice, in group voicehvac, may set the temperature" \
                runuser -u alice -- voicehvacctl set temperature 23
        check "deb: mallory, not in the group, may not" \
                eval '! runuser -u mallory -- voicehvacctl set temperature 25'
        check "deb: state kept in /var/lib/voicehvac" test -d /var/lib/voicehvac

        DEBIAN_FRONTEND=noninteractive dpkg --purge voicehvac >"$res/deb-purge.log" 2>&1
        check "deb: dpkg --purge voicehvac" test $? -eq 0
        check "deb: dpkg says not installed" \
                eval "! dpkg-query -W -f='\${Status}' voicehvac 2>/dev/null | grep -q installed"
        for u in $units; do
                check "deb: no $u after purge (no file, not active)" no_unit "$u"
                check "deb: no file or enablement link of $u left" \
                        none_exist "/lib/systemd/system/$u" "/usr/lib/systemd/system/$u" \
                                   "/etc/systemd/system/multi-user.target.wants/$u"
        done
        check "deb: no process left (none of the daemons, none of user voicehvac)" \
                eval '! pgrep -x "audiod|hvacd|wakeword|watchdogd" && ! pgrep -u voicehvac'
        for s in $services; do
                n=${deb_busname[$s]}
                check "deb: org.voicehvac.$n no longer owned" eval "! busctl status org.voicehvac.$n"
        done
        check "deb: no /var/lib/voicehvac, /etc/voicehvac or /usr/libexec/voicehvac after purge" \
                none_exist /var/lib/voicehvac /etc/voicehvac /usr/libexec/voicehvac
}

if [ ! -e "$res/deb-boot-1" ]; then
        deb_install
        echo "$boot_id" >"$res/deb-boot-1"
        reboot_guest
elif [ ! -e "$res/deb-boot-2" ]; then
        echo "$boot_id" >"$res/deb-boot-2"
        deb_after_reboot
else
        result fail "deb: the guest booted a third time"
fi
