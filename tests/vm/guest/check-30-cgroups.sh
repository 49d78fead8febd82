# The cgroup v2 files under /sys/fs/cgroup/voicehvac.slice/ carry what the installed slice
# units say, and `systemctl set-property` changes cpu.max live.
to_bytes() { # 32M → 33554432; numbers without a suffix are bytes
        local v=$1 n=${1%[KMGT]}
        case $v in
        *K) echo $((n << 10)) ;; *M) echo $((n << 20)) ;; *G) echo $((n << 30)) ;; *T) echo $((n << 40)) ;;
        *) echo "$v" ;;
        esac
}
quota_to_max() { echo "$(( ${1%\%} * 1000 )) 100000"; } # CPUQuota=25% → "25000 100000"

# expect_cgroup_file SLICE FILE VALUE
expect_cgroup_file() {
        local dir got
        dir=$(unit_cgroup "$1")
        got=$(cat "$dir/$2" 2>&1)
        if [ "$got" = "$3" ]; then result pass "$1: $2 = $3"
        else result fail "$1: $2 = $3" "it holds '$got'"; fi
}

for f in /usr/lib/systemd/system/voicehvac*.slice; do
        sl=$(basename "$f")
        systemctl start "$sl"
        while IFS='=' read -r key value; do
                case $key in
                CPUWeight)     expect_cgroup_file "$sl" cpu.weight "$value" ;;
                CPUQuota)      expect_cgroup_file "$sl" cpu.max "$(quota_to_max "$value")" ;;
                MemoryHigh)    expect_cgroup_file "$sl" memory.high "$(to_bytes "$value")" ;;
                MemoryMax)     expect_cgroup_file "$sl" memory.max "$(to_bytes "$value")" ;;
                MemorySwapMax) expect_cgroup_file "$sl" memory.swap.max "$(to_bytes "$value")" ;;
                TasksMax)      expect_cgroup_file "$sl" pids.max "$value" ;;
                esac
        done < <(sed -n '/^\[Slice\]/,/^\[/p' "$f" | grep -E '^[A-Za-z]+=')
done

# A quota changed at run time reaches the kernel at once, and goes back just as well.
sl=voicehvac-wakeword.slice
orig=$(sed -n 's/^CPUQuota=//p' "/usr/lib/systemd/system/$sl")
check "set-property $sl CPUQuota=40%" systemctl set-property --runtime "$sl" CPUQuota=40%
expect_cgroup_file "$sl" cpu.max "40000 100000"
check "set-property $sl CPUQuota=$orig" systemctl set-property --runtime "$sl" CPUQuota="$orig"
expect_cgroup_file "$sl" cpu.max "$(quota_to_max "$orig")"
