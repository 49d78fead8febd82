# tests/vm/: the VM suite — the installed stack under a real systemd, cgroup v2 and ALSA
# (snd-aloop) in a Debian 12 guest under qemu. `make check` runs it once, on the plain build,
# and it adds one line ("pass|fail|skip vm check-vm") to the results file VM_RESULTS names.
VM_RESULTS ?=

check-vm: build-all
	@tests/vm/check-vm.sh $(BUILD) $(VM_RESULTS)

.PHONY: check-vm
