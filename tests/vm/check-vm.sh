#!/bin/bash
# check-vm.sh BUILD [RESULTS] — the VM suite: installs the stack built in BUILD into a Debian 12
# guest and runs tests/vm/guest/ there, under a real systemd, cgroup v2 and ALSA (snd-aloop),
# in one boot. Prints every in-guest check and the figures it measured. With RESULTS, appends
# one line "pass|fail|skip vm check-vm" to it (tests/run-tests.sh's format).
#
# The guest image (tests/vm/build-image.sh) is cached in $VH_VM_CACHE (/var/cache/voicehvac-vm),
# keyed on a hash of the recipe, and rebuilt when the recipe changes. The project itself comes in
# through a 9p share at each boot; the guest's disk is a snapshot, so every run starts clean.
#
# Environment: VH_VM_CACHE, VH_VM_TIMEOUT (seconds for the whole boot, default 900),
# VH_VM_ACCEL (tcg, the default, or kvm), VH_VM_ONLY (an extended regular expression: run only
# the guest checks whose file names match, e.g. "10|40"; a debugging aid).
set -u
build=$(realpath -m "${1:-build}")
results=${2:-}
src=$(cd "$(dirname "$0")/../.." && pwd)
vmdir="$src/tests/vm"
out="$build/vm"
cache=${VH_VM_CACHE:-/var/cache/voicehvac-vm}
timeout_s=${VH_VM_TIMEOUT:-900}
start=$(date +%s)

finish() { # finish pass|fail|skip REASON
        local secs=$(( $(date +%s) - start ))
        case $1 in
        pass) echo "PASS [vm] check-vm (${secs}s)" ;;
        skip) echo "SKIP [vm] check-vm: $2" ;;
        fail) echo "FAIL [vm] check-vm (${secs}s): $2" ;;
        esac
        if [ -n "$results" ]; then
                if [ "$1" = skip ]; then echo "skip vm check-vm $2"; else echo "$1 vm check-vm"; fi >>"$results"
        fi
        case $1 in pass) exit 0 ;; skip) exit 77 ;; *) exit 1 ;; esac
}

# --- what the suite needs on the host -----------------------------------------------------------
[ "$(id -u)" -eq 0 ] || finish skip "needs root (debootstrap and chroot build the guest image)"
for tool in qemu-system-x86_64 debootstrap mkfs.ext4 espeak-ng sox; do
        command -v $tool >/dev/null || finish skip "$tool is not installed (make deps)"
done
for bin in audiod/audiod hvacd/hvacd wakeword/wakeword; do
        [ -x "$build/$bin" ] || finish fail "$build/$bin is not built"
done

# --- the guest image, cached on its recipe ------------------------------------------------------
key=$(cd "$vmdir" && { cat build-image.sh; find image -type f | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
image="$cache/$key"
mkdir -p "$cache"
if [ ! -s "$image/root.ext4" ]; then
        exec 9>"$cache/.lock"
        flock 9
        if [ ! -s "$image/root.ext4" ]; then
                echo "check-vm: building the guest image $image (once per recipe)…"
                t0=$(date +%s)
                timeout --kill-after=10 1200 "$vmdir/build-image.sh" "$image" ||
                        finish fail "building the guest image failed"
                echo "check-vm: image built in $(( $(date +%s) - t0 ))s"
                # Images of older recipes are of no further use.
                find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
        fi
        exec 9>&-
fi

# --- which checks run, and in which boot ----------------------------------------------------------
# Most checks share one boot on the installed stack. A check whose first line is "# vm: own boot"
# needs the image as it was built: it gets a boot (one qemu process, rebooting if it asks) of its own.
only=${VH_VM_ONLY:-}
shared=0
own=()
for c in "$vmdir"/guest/check-*.sh; do
        name=${c##*/}
        [ -n "$only" ] && ! grep -qE "$only" <<<"$name" && continue
        if head -n1 "$c" | grep -qx '# vm: own boot'; then own+=("$name"); else shared=1; fi
done
[ $shared -eq 1 ] || [ ${#own[@]} -gt 0 ] || finish fail "VH_VM_ONLY='$only' matches no guest check"
rm -rf "$out"
mkdir -p "$out"
build_rel=$(realpath -m --relative-to="$src" "$build")

# new_share DIR — the guest scripts and an empty results directory.
new_share() {
        mkdir -p "$1/tests/vm" "$1/results" "$1/media"
        chmod 0777 "$1/results"
        touch "$1/results/checks"
        cp -a "$vmdir/guest" "$1/tests/vm/"
}

# --- the shared boot's share: the installed stack, the guest suite, speech -----------------------
share="$out/share"
if [ $shared -eq 1 ]; then
        new_share "$share"
        sanitize=0; case $build in *asan*) sanitize=1 ;; esac
        make --no-print-directory -s -C "$src" install DESTDIR="$share/root" PREFIX=/usr BUILD="$build_rel" \
                SANITIZE=$sanitize >"$out/install.log" 2>&1 || { cat "$out/install.log"; finish fail "make install failed"; }
        [ -n "$only" ] && echo "$only" >"$share/only"
        cp "$src/dbus-interfaces/"*.xml "$share/media/"
        "$vmdir/make-media.sh" "$share/media" "$build" >"$out/media.log" 2>&1 ||
                { cat "$out/media.log"; finish fail "synthesising the test speech failed"; }
        sed 's/^/check-vm: /' "$out/media.log"
fi

# --- the own boots' shares: the check's name, and what it installs -------------------------------
arch=$(dpkg --print-architecture)
# The version an upgrade starts from: 0.1, the last tree whose package built with units named
# <daemon>.service, run as one user "voicehvac" keeping its state in /var/lib/voicehvac itself.
upgrade_from=570b5695ea7c6434b0728bd6810a7ee09c414db7
deb_state=      # built | failed, once this run tried `make deb`

# deb_share SHARE NAME — the Debian package, built from this tree as `make deb` builds it (once
# per run), into SHARE/deb; or a result line saying why not, and the share marked done.
deb_share() {
        mkdir -p "$1/deb"
        if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
                echo "SKIP $2: dpkg-buildpackage or debhelper is not installed (make deps)" >>"$1/results/checks"
                touch "$1/results/done"; return 1
        fi
        if [ -z "$deb_state" ]; then
                if make --no-print-directory -s -C "$src" deb BUILD="$build_rel" >"$out/deb.log" 2>&1; then
                        deb_state=built
                        echo "check-vm: $(cd "$build/deb" && ls voicehvac_*_"$arch".deb) built (make deb)"
                else
                        deb_state=failed
                        tail -n 30 "$out/deb.log"
                fi
        fi
        if [ "$deb_state" = failed ]; then
                echo "FAIL $2: make deb failed ($out/deb.log)" >>"$1/results/checks"
                touch "$1/results/done"; return 1
        fi
        cp "$build"/deb/voicehvac_*_"$arch".deb "$1/deb/"
}

# old_deb_share SHARE NAME — the package of the version an upgrade starts from, built from its tree
# in git (once per build directory: $build/deb-upgrade-from), into SHARE/deb-old.
old_deb_share() {
        local old="$build/deb-upgrade-from"
        mkdir -p "$1/deb-old"
        if ! ls "$old"/voicehvac_*_"$arch".deb >/dev/null 2>&1; then
                if ! git -C "$src" cat-file -e "$upgrade_from^{commit}" 2>/dev/null; then
                        echo "SKIP $2: the tree is not a git checkout holding $upgrade_from (the version upgraded from)" >>"$1/results/checks"
                        touch "$1/results/done"; return 1
                fi
                rm -rf "$old" && mkdir -p "$old/src"
                if git -C "$src" archive "$upgrade_from" | tar -x -C "$old/src" &&
                   make --no-print-directory -s -C "$old/src" deb BUILD=build >"$out/deb-old.log" 2>&1; then
                        cp "$old"/src/build/deb/voicehvac_*_"$arch".deb "$old/"
                        rm -rf "$old/src"
                        echo "check-vm: $(cd "$old" && ls voicehvac_*_"$arch".deb) built from ${upgrade_from:0:12} (the version upgraded from)"
                else
                        tail -n 30 "$out/deb-old.log"
                        echo "FAIL $2: building the package of ${upgrade_from:0:12} failed ($out/deb-old.log)" >>"$1/results/checks"
                        touch "$1/results/done"; return 1
                fi
        fi
        cp "$old"/voicehvac_*_"$arch".deb "$1/deb-old/"
}

for name in "${own[@]}"; do
        osh="$out/share-${name%.sh}"
        new_share "$osh"
        echo "$name" >"$osh/own-boot"
        case $name in
        *-deb.sh) deb_share "$osh" "$name" ;;
        *-deb-upgrade.sh) old_deb_share "$osh" "$name" && deb_share "$osh" "$name" ;;
        esac
done

# --- the boots -----------------------------------------------------------------------------------
accel=${VH_VM_ACCEL:-tcg}
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
*)   accel_args=(-accel tcg,thread=multi -cpu max) ;;
esac

# boot SHARE CONSOLE [QEMU-ARGS…] — one qemu process on a snapshot of the image; sets qrc, boot_secs.
boot() {
        local share=$1 console=$2 t0
        shift 2
        t0=$(date +%s)
        timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" \
                -smp 2 -m 1024 -display none -nic none "$@" \
                -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
                -append "root=/dev/vda rw console=ttyS0 loglevel=4 mitigations=off voicehvac.test" \
                -drive "file=$image/root.ext4,if=virtio,format=raw,snapshot=on" \
                -virtfs "local,path=$share,mount_tag=vh,security_model=none,id=vh" \
                -device virtio-rng-pci \
                -serial "file:$console" >"${console%.log}.qemu.log" 2>&1
        qrc=$?
        boot_secs=$(( $(date +%s) - t0 ))
}

n_fail=0; n_pass=0; n_skip=0; unfinished=
# collect SHARE CONSOLE — prints a boot's checks and figures, and adds them up.
collect() {
        local res="$1/results" console=$2
        if [ -s "$res/checks" ]; then
                sed 's/^/    /' "$res/checks"
        fi
        if [ -s "$res/figures" ]; then
                echo "  figures measured in the guest (TCG: for trends, not goals):"
                sed 's/^/    /' "$res/figures"
        fi
        if [ ! -f "$res/done" ]; then
                echo "check-vm: the guest suite did not finish; last console lines ($console):"
                tail -n 40 "$console" 2>/dev/null | sed 's/^/    /'
                if [ -s "$res/suite.log" ]; then
                        echo "check-vm: the guest suite's own last lines ($res/suite.log):"
                        tail -n 40 "$res/suite.log" | sed 's/^/    /'
                fi
                if [ $qrc -eq 124 ]; then
                        unfinished+=" ${1##*/}: no power-off within ${timeout_s}s;"
                else
                        unfinished+=" ${1##*/}: the guest suite did not finish (qemu exit $qrc);"
                fi
        fi
        n_fail=$(( n_fail + $(grep -c '^FAIL' "$res/checks") ))
        n_pass=$(( n_pass + $(grep -c '^PASS' "$res/checks") ))
        n_skip=$(( n_skip + $(grep -c '^SKIP' "$res/checks") ))
}

if [ $shared -eq 1 ]; then
        echo "check-vm: booting the guest ($accel, image $key)…"
        # The suite's one boot: a reboot would be a fault, and ends qemu.
        boot "$share" "$out/console.log" -no-reboot
        res="$share/results"
        # busctl introspection taken in the guest, compared here with the reviewed contract.
        for live in "$res"/live-*.xml; do
                [ -f "$live" ] || continue
                n=${live##*/live-}; n=${n%.xml}
                if /usr/bin/python3 "$src/tests/lib/compare-introspection.py" "$src/dbus-interfaces/org.voicehvac.$n.xml" \
                        "$live" "org.voicehvac.$n" >"$out/compare-$n.txt" 2>&1; then
                        echo "PASS $n: busctl introspect in the guest equals dbus-interfaces/org.voicehvac.$n.xml" >>"$res/checks"
                else
                        echo "FAIL $n: busctl introspect in the guest differs from the contract: $(head -c 300 "$out/compare-$n.txt" | tr '\n' ' ')" >>"$res/checks"
                fi
        done
        collect "$share" "$out/console.log"
        echo "check-vm: guest ran for ${boot_secs}s (qemu exit $qrc)"
fi
for name in "${own[@]}"; do
        osh="$out/share-${name%.sh}"
        console="$out/console-${name%.sh}.log"
        if [ -f "$osh/results/done" ]; then     # decided on the host already (skip or failure)
                qrc=0; collect "$osh" "$console"
                continue
        fi
        echo "check-vm: booting the guest for $name alone ($accel, image $key)…"
        boot "$osh" "$console"
        collect "$osh" "$console"
        echo "check-vm: guest ran for ${boot_secs}s for $name (qemu exit $qrc)"
done

# --- the verdict -----------------------------------------------------------------------------------
echo "check-vm: $n_pass passed, $n_fail failed, $n_skip skipped in the guest"
[ -z "$unfinished" ] || finish fail "${unfinished%;}"
if [ "$n_fail" -ne 0 ]; then
        # What the daemons said is usually the why; CI keeps only this output.
        echo "check-vm: the daemons' last journal lines (BUILD/vm/share*/results/journal*.txt):"
        cat "$out"/share*/results/journal*.txt 2>/dev/null |
                grep -E ' (audiod|wakeword|hvacd|watchdogd)\[[0-9]+\]: ' | tail -n 60 | sed 's/^/    /'
        finish fail "$n_fail in-guest checks failed (journals: $out/share*/results/)"
fi
[ "$n_pass" -gt 0 ] || finish fail "no in-guest check passed"
finish pass
