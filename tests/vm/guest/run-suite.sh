#!/bin/bash
# run-suite.sh SHARE — runs in the guest as root (voicehvac-vm.service): installs the stack from
# SHARE/root, then runs every check-*.sh here in order, in this one boot. Each check prints one
# line into SHARE/results/checks ("PASS name", "FAIL name: why", "SKIP name: why"); figures go
# to SHARE/results/figures. SHARE/results/done marks a suite that ran to its end.
#
# A check marked "# vm: own boot" is left out: it needs the image as it was built. The host boots
# it alone, with SHARE/own-boot naming it; then nothing is installed first, and the check may
# reboot the guest (reboot_guest), after which this script runs it again.
set -u
share=$1
here="$share/tests/vm/guest"
res="$share/results"
media="$share/media"
touch "$res/checks" "$res/figures"
exec >>"$res/suite.log" 2>&1
# shellcheck source=lib.sh
. "$here/lib.sh"

suite_start=$(date +%s)
own_boot=$(cat "$share/own-boot" 2>/dev/null)
if [ -n "$own_boot" ]; then
        log "=== $own_boot (a boot of its own, $(cat /proc/sys/kernel/random/boot_id))"
        # shellcheck disable=SC1090
        . "$here/$own_boot"
        finish_suite
fi

log "installing the stack"
setup_stack || { result fail setup "installing the stack failed"; finish_suite; }

# $share/only (VH_VM_ONLY on the host) narrows the run to the checks whose names match it.
only=$(cat "$share/only" 2>/dev/null)
for c in "$here"/check-*.sh; do
        [ -n "$only" ] && ! grep -qE "$only" <<<"$(basename "$c")" && continue
        head -n1 "$c" | grep -qx '# vm: own boot' && continue
        log "=== $(basename "$c")"
        # shellcheck disable=SC1090
        . "$c"
done
finish_suite
