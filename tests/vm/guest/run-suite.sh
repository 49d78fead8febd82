#!/bin/bash
# run-suite.sh SHARE — runs in the guest as root (voicehvac-vm.service): installs the stack from
# SHARE/root, then runs every check-*.sh here in order, in this one boot. Each check prints one
# line into SHARE/results/checks ("PASS name", "FAIL name: why", "SKIP name: why"); figures go
# to SHARE/results/figures. SHARE/results/done marks a suite that ran to its end.
set -u
share=$1
here="$share/tests/vm/guest"
res="$share/results"
media="$share/media"
: >"$res/checks"
: >"$res/figures"
exec >"$res/suite.log" 2>&1
# shellcheck source=lib.sh
. "$here/lib.sh"

suite_start=$(date +%s)
log "installing the stack"
setup_stack || { result fail setup "installing the stack failed"; finish_suite; }

# $share/only (VH_VM_ONLY on the host) narrows the run to the checks whose names match it.
only=$(cat "$share/only" 2>/dev/null)
for c in "$here"/check-*.sh; do
        [ -n "$only" ] && ! grep -qE "$only" <<<"$(basename "$c")" && continue
        log "=== $(basename "$c")"
        # shellcheck disable=SC1090
        . "$c"
done
finish_suite
