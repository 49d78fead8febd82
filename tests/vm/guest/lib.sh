# lib.sh — what the guest checks share: result lines, figures, waiting, bus and cgroup helpers.
# Sourced by run-suite.sh; $share, $res and $media are set.

log() { echo "[$(date +%T)] $*"; }

# result pass|fail|skip NAME [WHY]
result() {
        local word
        case $1 in pass) word=PASS ;; fail) word=FAIL ;; *) word=SKIP ;; esac
        echo "$word $2${3:+: $3}" >>"$res/checks"
        log "$word $2${3:+: $3}"
}

# check NAME COMMAND… — pass when the command succeeds; its output goes to the suite log.
check() {
        local name=$1; shift
        if "$@"; then result pass "$name"; else result fail "$name" "$*"; fi
}

figure() { echo "$*" >>"$res/figures"; log "figure: $*"; }

# wait_for SECONDS COMMAND… — polls every 0.2 s until the command succeeds.
wait_for() {
        local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
        until "$@" >/dev/null 2>&1; do
                [ $(( $(date +%s%N) / 1000000 )) -ge $deadline ] && return 1
                sleep 0.2
        done
}

finish_suite() {
        figure "suite: $(( $(date +%s) - suite_start ))s in the guest"
        journalctl -b --no-pager -o short-monotonic >"$res/journal.txt" 2>&1
        touch "$res/done"
        sync
        exit 0
}

# reboot_guest — ends this boot with a clean reboot instead of the power-off that ends the suite
# (a check with a boot of its own, "# vm: own boot"): voicehvac-vm.service's SuccessAction becomes
# "reboot" until the next boot, and the suite runs again after it. The qemu process lives on, and
# with it the disk's snapshot. This boot's journal is kept, as journal-boot-N.txt.
reboot_guest() {
        local n
        n=$(ls "$res"/journal-boot-*.txt 2>/dev/null | wc -l)
        journalctl -b --no-pager -o short-monotonic >"$res/journal-boot-$((n + 1)).txt" 2>&1
        mkdir -p /run/systemd/system/voicehvac-vm.service.d
        printf '[Unit]\nSuccessAction=reboot\n' >/run/systemd/system/voicehvac-vm.service.d/reboot.conf
        systemctl daemon-reload
        log "rebooting"
        sync
        exit 0
}

bus_get() { # bus_get SERVICE-SHORT PROPERTY — e.g. bus_get Hvac1 TargetTemperature → value only
        busctl get-property "org.voicehvac.$1" "/org/voicehvac/$1" "org.voicehvac.$1" "$2" 2>/dev/null |
                cut -d' ' -f2- | tr -d '"'
}

# prop_is SERVICE-SHORT PROPERTY VALUE — the property has that value now. Under wait_for it is
# read again at each poll, where a "$(bus_get …)" argument would have been read once, before.
prop_is() { [ "$(bus_get "$1" "$2")" = "$3" ]; }

# ensure_active NAME… — starts each of the services (audiod, hvacd, …) that is not running yet.
ensure_active() {
        local s
        for s in "$@"; do systemctl is-active -q "voicehvac-$s.service" || systemctl start "voicehvac-$s.service"; done
}

# apt_install DEB LOG — apt-get install ./DEB offline (the image has every dependency), its output
# in $res/LOG. One that hangs fails after 420 s, with what systemd and the processes were doing
# added to the log and said in the suite's log, not at the host's power-off deadline.
apt_install() {
        local rc
        # apt's download sandbox (user _apt) reads the file: it goes where _apt may read it.
        cp "$1" /tmp/ && chmod 644 "/tmp/${1##*/}" || return 1
        DEBIAN_FRONTEND=noninteractive timeout 420 apt-get install -y "/tmp/${1##*/}" >"$res/$2" 2>&1
        rc=$?
        if [ $rc -eq 124 ]; then
                { echo "--- apt-get install still running after 420 s"; systemctl list-jobs --no-pager
                  ps -eo pid,ppid,stat,etimes,args --forest; journalctl -b --no-pager -n 60; } >>"$res/$2" 2>&1
                tail -n 80 "$res/$2"
        fi
        return $rc
}

# none_exist PATH… — true when none of the paths exists.
none_exist() { local f; for f in "$@"; do [ -e "$f" ] && { echo "left: $f"; return 1; }; done; return 0; }

unit_prop() { systemctl show -P "$2" "$1" 2>/dev/null; }
unit_cgroup() { echo "/sys/fs/cgroup$(unit_prop "$1" ControlGroup)"; }
main_pid() { unit_prop "$1" MainPID; }

# in_unit_cgroup UNIT COMMAND… — runs the command as a process of the unit's cgroup, so the
# unit's device filter (a BPF program attached to that cgroup) applies to it.
in_unit_cgroup() {
        local cg
        cg=$(unit_prop "$1" ControlGroup); shift
        [ -n "$cg" ] || { echo "the unit has no cgroup (not running)"; return 2; }
        sh -c 'echo $$ >"/sys/fs/cgroup$0/cgroup.procs" && grep -qx "0::$0" /proc/self/cgroup && exec "$@"' "$cg" "$@"
}

# cpu_usec CGROUP-DIR — usage_usec from cpu.stat
cpu_usec() { awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"; }

# The sound card the guest tests with: snd-aloop. Playback into hw:Loopback,0,0 comes out of
# hw:Loopback,1,0, which audiod captures (tests/vm/guest/audiod.json).
load_loopback() { modprobe snd-aloop index=0 pcm_substreams=2 && wait_for 10 test -e /dev/snd/pcmC0D1c; }

# rc_loopback — loads rc-loopback (a LIRC device whose transmitter is looped back to its receiver)
# and waits for /dev/lirc0; prints why not when it fails.
rc_loopback() {
        if ! modprobe rc-loopback 2>"$res/rc-loopback.err"; then
                echo "rc-loopback: $(head -n1 "$res/rc-loopback.err")"
                return 1
        fi
        wait_for 10 test -c /dev/lirc0 || { echo "rc-loopback loaded but no /dev/lirc0"; return 1; }
}

# hvacd_use_lirc [RECEIVER] — restarts hvacd with the lirc backend on /dev/lirc0 (Coolix sends whole
# degrees from 17 °C) and no state kept from the checks before; hvacd_use_sim goes back.
hvacd_use_lirc() {
        systemctl stop voicehvac-hvacd.service
        cp /etc/voicehvac/hvacd.json "$res/hvacd-sim.json"
        sed -i -e 's/"backend": *"sim"/"backend": "lirc"/' -e 's/"temperature_step": *[0-9.]*/"temperature_step": 1/' \
               -e 's/"min_temperature": *[0-9.]*/"min_temperature": 17/' \
               -e "s|\"receiver\": *\"[^\"]*\"|\"receiver\": \"${1:-}\"|" /etc/voicehvac/hvacd.json
        rm -f /var/lib/voicehvac/hvacd/hvacd-state.json
        systemctl reset-failed voicehvac-hvacd.service
        systemctl start voicehvac-hvacd.service
}

hvacd_use_sim() {
        cp "$res/hvacd-sim.json" /etc/voicehvac/hvacd.json
        systemctl restart voicehvac-hvacd.service
}

setup_stack() {
        cp -a "$share/root/." / || return 1
        # The guest's microphone is the loopback card's capture side, subdevice 0, which has no
        # capture switch: mute is applied to the stream.
        sed -i -e 's/"device": *"[^"]*"/"device": "hw:Loopback,1,0"/' \
               -e 's/"mute_control": *"[^"]*"/"mute_control": ""/' \
               -e 's/"retry_max_ms": *[0-9]*/"retry_max_ms": 2000/' /etc/voicehvac/audiod.json
        systemd-sysusers || return 1
        getent group voicehvac && getent group voicehvac-audio || return 1
        for u in audiod wakeword hvacd watchdogd; do id "voicehvac-$u" || return 1; done
        # Test users: alice may unmute and change the air conditioner (group voicehvac), mallory
        # may not; polkit grants carol the air conditioner (a rule below), not the microphone.
        useradd -m -G voicehvac alice && useradd -m mallory && useradd -m carol || return 1
        mkdir -p /etc/polkit-1/rules.d
        cat >/etc/polkit-1/rules.d/50-voicehvac-vm.rules <<'RULES'
polkit.addRule(function(action, subject) {
        if (action.id == "org.voicehvac.hvac.set" && subject.user == "carol")
                return polkit.Result.YES;
});
RULES
        udevadm control --reload
        systemctl daemon-reload || return 1
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig || return 1
        if ! load_loopback; then
                log "snd-aloop is not available"
                return 0
        fi
}
