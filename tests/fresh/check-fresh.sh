#!/bin/bash
# check-fresh.sh — `make check-fresh`: the README's first steps on a Debian 12 that has nothing
# installed. A bare `debootstrap --variant=minbase` of bookworm (plus make, the one command the
# README asks a user to have) is used as a chroot twice, each time from the pristine tree with
# this tree's committed HEAD cloned into /root/voicehvac:
#
#   1. `DEMO_SECONDS=30 make run`   must install the packages, build, run the demo and show the
#                                   recording's wake, command and TargetTemperature=24;
#   2. `make`                       must install the packages and build every binary.
#
# Each runs as root, once, on the first try. The bare tree is cached as a tarball in
# $VH_FRESH_CACHE (/var/cache/voicehvac-fresh) keyed on its recipe, and the .deb files apt
# downloads are kept there too, so a second run downloads nothing. The chroot gets its own
# /proc and /sys (no cgroup tree: watchdogd supervises without cgroups, as in a container) and
# the host's /dev; services that packages would start are refused (policy-rc.d), as in any
# chroot. The demo plays the bundled recording (DEMO_AUDIO=file).
#
# Environment: VH_FRESH_CACHE, VH_FRESH_MIRROR (default http://deb.debian.org/debian),
# VH_FRESH_TIMEOUT (seconds for each step, default 1800).
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VH_FRESH_CACHE:-/var/cache/voicehvac-fresh}
mirror=${VH_FRESH_MIRROR:-http://deb.debian.org/debian}
timeout_s=${VH_FRESH_TIMEOUT:-1800}
suite=bookworm
start=$(date +%s)
work=""
root=""

finish() { # finish pass|fail REASON
        local secs=$(( $(date +%s) - start ))
        if [ "$1" = pass ]; then
                echo "check-fresh: PASS (${secs}s): $2"
                exit 0
        fi
        echo "check-fresh: FAIL (${secs}s): $2"
        exit 1
}

[ "$(id -u)" -eq 0 ] || finish fail "needs root (debootstrap, chroot, mount)"
for tool in debootstrap git tar; do
        command -v $tool >/dev/null || finish fail "$tool is not installed (make deps)"
done
rev=$(git -C "$src" rev-parse HEAD) || finish fail "$src is not a git checkout"
[ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ] ||
        echo "check-fresh: note: uncommitted changes are not tested, only HEAD ($rev)"

# --- the bare tree, cached on its recipe -------------------------------------------------------
key=$(printf '%s\n' "$suite" "$mirror" minbase make | sha256sum | cut -c1-12)
bare="$cache/bare-$suite-$key.tar"
make_bare() {
        local tmp
        echo "check-fresh: debootstrap --variant=minbase $suite from $mirror (once)…"
        tmp=$(mktemp -d "$cache/bare.XXXXXX")
        if ! debootstrap --variant=minbase --include=make "$suite" "$tmp/root" "$mirror" \
                >"$tmp/debootstrap.log" 2>&1; then
                tail -n 20 "$tmp/debootstrap.log"
                rm -rf --one-file-system "$tmp"
                return 1
        fi
        rm -rf "$tmp/root/var/cache/apt/archives/"*.deb
        tar -C "$tmp/root" --numeric-owner -cf "$bare.tmp" . && mv "$bare.tmp" "$bare" ||
                { rm -rf --one-file-system "$tmp" "$bare.tmp"; return 1; }
        rm -rf --one-file-system "$tmp"
        # Trees of older recipes are of no further use.
        find "$cache" -maxdepth 1 -name 'bare-*.tar' ! -path "$bare" -delete
}
mkdir -p "$cache/archives/partial"
{ flock 9 && { [ -s "$bare" ] || make_bare; }; } 9>"$cache/.lock" || finish fail "debootstrap failed"

# --- one chroot at a time ------------------------------------------------------------------------
unmount_all() {
        [ -n "$root" ] || return 0
        # Whatever a step left running inside (a demo daemon, a package's service) goes first.
        local p r
        for p in /proc/[0-9]*; do
                r=$(readlink "$p/root" 2>/dev/null) || continue
                case $r in "$root"|"$root"/*) kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
        done
        local m
        for m in $(findmnt -rn -o TARGET | grep -F "$root/" | sort -r); do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
        done
}
cleanup() {
        unmount_all
        if [ -n "$work" ]; then
                # Never delete through a mount that is still there (the host's /dev).
                if findmnt -rn -o TARGET | grep -qF "$work/"; then
                        echo "check-fresh: $work still has mounts; left in place"
                else
                        rm -rf --one-file-system "$work"
                fi
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# step NAME COMMAND — a pristine chroot, the tree cloned at $rev, COMMAND as root in it.
step() {
        local name=$1 cmd=$2
        unmount_all
        [ -n "$work" ] && rm -rf --one-file-system "$work"
        work=$(mktemp -d /var/tmp/voicehvac-fresh.XXXXXX)
        root="$work/root"
        mkdir "$root"
        tar -C "$root" --numeric-owner -xf "$bare" || finish fail "could not unpack $bare"
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
        chmod 755 "$root/usr/sbin/policy-rc.d"
        mount -t proc proc "$root/proc" &&
                mount -t sysfs sysfs "$root/sys" &&
                mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" &&
                mount --bind "$cache/archives" "$root/var/cache/apt/archives" ||
                finish fail "could not mount /proc, /sys, /dev or the package cache in the chroot"
        git clone -q --no-checkout "$src" "$root/root/voicehvac" &&
                git -C "$root/root/voicehvac" checkout -q "$rev" ||
                finish fail "could not clone $rev into the chroot"

        echo "check-fresh: [$name] $cmd"
        local t0=$(date +%s) status
        timeout --kill-after=10 "$timeout_s" chroot "$root" /usr/bin/env -i \
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                HOME=/root TERM=dumb LANG=C.UTF-8 \
                /bin/sh -c "cd /root/voicehvac && $cmd" >"$work/$name.log" 2>&1 </dev/null
        status=$?
        sed 's/^/    /' "$work/$name.log" | tail -n "${VH_FRESH_LINES:-40}"
        echo "check-fresh: [$name] exit status $status after $(( $(date +%s) - t0 ))s"
        return $status
}

expect() { # expect WHAT LOG ERE
        if grep -Eq "$3" "$2"; then
                echo "ok: $1"
        else
                echo "FAIL: $1"
                failed="${failed:+$failed; }$1"
        fi
}
failed=""

if step run "DEMO_SECONDS=30 DEMO_AUDIO=file make run"; then
        log="$work/run.log"
        expect "make run installed the packages" "$log" '^deps: done'
        expect "the stack came up" "$log" 'Stack starting'
        expect "a wake detection is shown" "$log" '^[0-9:.]+ +wake +"hey climate"'
        expect "the command is shown with its intent" "$log" \
                '^[0-9:.]+ +command +"set the temperature to twenty four.*action=set_temperature value=24'
        expect "the air conditioner's change is shown: TargetTemperature=24" "$log" \
                '^[0-9:.]+ +hvac +.*TargetTemperature=24( |$)'
        expect "the stack stopped cleanly" "$log" '^Stopped \(watchdogd exit status 0\)'
else
        failed="${failed:+$failed; }make run exited non-zero"
fi

if step make "make"; then
        log="$work/make.log"
        expect "make installed the packages" "$log" '^deps: done'
        for b in audiod/audiod wakeword/wakeword hvacd/hvacd watchdogd/watchdogd mqttd/mqttd voicehvacctl/voicehvacctl; do
                if [ -x "$root/root/voicehvac/build/$b" ]; then
                        echo "ok: build/$b is built"
                else
                        echo "FAIL: build/$b is built"
                        failed="${failed:+$failed; }build/$b missing"
                fi
        done
else
        failed="${failed:+$failed; }make exited non-zero"
fi

[ -z "$failed" ] || finish fail "$failed"
finish pass "make run and make work on the first try on a bare Debian $suite ($rev)"
