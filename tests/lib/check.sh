# Checks for the shell tests: source it once, then end the script with `checks_done`.
#   check DESCRIPTION COMMAND…      the command must succeed (check's status says whether it did)
#   check_not DESCRIPTION COMMAND…  the command must fail
#   fail WHY                        a failure found some other way (count the check yourself)
#   wait_for SECONDS COMMAND…       true once COMMAND succeeds within SECONDS (may be a fraction)
checks=0
failures=0

fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}

check() {
        local what=$1; shift
        checks=$((checks + 1))
        if "$@"; then echo "ok: $what"; else fail "$what"; return 1; fi
}

check_not() {
        local what=$1; shift
        checks=$((checks + 1))
        if "$@"; then fail "$what"; return 1; else echo "ok: $what"; fi
}

# quiet COMMAND… — runs it with its output thrown away (for check/check_not).
quiet() {
        "$@" >/dev/null 2>&1
}

wait_for() {
        local end; end=$(( $(date +%s%N) / 1000000 + $(awk "BEGIN { printf \"%d\", $1 * 1000 }") )); shift
        until "$@"; do
                [ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && return 1
                sleep 0.05
        done
}

# checks_done — prints the count; fails when a check failed or none ran.
checks_done() {
        echo "# $checks checks, $failures failed"
        [ "$failures" -eq 0 ] && [ "$checks" -gt 0 ]
}
