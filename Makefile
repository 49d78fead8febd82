# voicehvac — plain GNU make. Each folder adds its part through a *.mk fragment.
#
#   make            install the packages that are missing, build everything into $(BUILD)/
#   make check      install deps if missing, run the suite plainly and under ASan/UBSan
#   make run        start the whole stack on a private bus (see README.md)
#   make bench      print the benchmark figures
#   make install    DESTDIR=… PREFIX=…
#   make ARCH=arm64 cross-build into build-arm64/ (also i386); make check-arm64 tests it under qemu
#   make check-fresh  `make run` and `make` on a bare Debian 12 chroot (slow; not in make check)
#
# CFLAGS, CPPFLAGS, LDFLAGS and CC are the user's: the project's own flags live in VH_CFLAGS/VH_LDFLAGS
# and are always used. `make DEPS=none` builds with what is installed and installs nothing
# (package builds).

# ARCH: a Debian architecture to cross-build for (arm64, i386); empty or the build machine's
# own is a native build.
ARCH        ?=
NATIVE_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
ifneq ($(filter-out $(NATIVE_ARCH),$(ARCH)),)
CROSS_arm64     := aarch64-linux-gnu
CROSS_i386      := i686-linux-gnu
MULTIARCH_arm64 := aarch64-linux-gnu
MULTIARCH_i386  := i386-linux-gnu
CROSS     := $(CROSS_$(ARCH))
MULTIARCH := $(MULTIARCH_$(ARCH))
ifeq ($(CROSS),)
$(error ARCH=$(ARCH): cross builds are for arm64 or i386)
endif
BUILD ?= build-$(ARCH)
ifeq ($(origin CC),default)
CC := $(CROSS)-gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS)-ar
endif
# The :$(ARCH) multi-arch dev packages' .pc files, and nothing of the build machine's.
PKG_CONFIG ?= env PKG_CONFIG_LIBDIR=/usr/lib/$(MULTIARCH)/pkgconfig:/usr/share/pkgconfig pkg-config
endif

BUILD      ?= build
PREFIX     ?= /usr
DESTDIR    ?=
SANITIZE   ?= 0
DEPS       ?= check
PKG_CONFIG ?= pkg-config

PKGS := libsystemd alsa json-c libudev
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CFLAGS    ?= -O2 -g
LDFLAGS   ?=
VH_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow \
             -Wformat=2 -D_GNU_SOURCE -fno-strict-aliasing -Icommon $(PKG_CFLAGS)
VH_LDFLAGS :=
ifeq ($(SANITIZE),1)
VH_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
VH_LDFLAGS += -fsanitize=address,undefined
endif

BINARIES :=
TESTS :=
TEST_SCRIPTS :=
BENCHES :=
EXTRA_TARGETS :=

# The README's entry points first install what is missing, then build in a second make, which
# reads the pkg-config flags of the packages now installed (this make read them before).
all: deps-check
	@$(MAKE) --no-print-directory build-all

include common/common.mk tests/tests.mk
include audiod/audiod.mk wakeword/wakeword.mk hvacd/hvacd.mk watchdogd/watchdogd.mk \
        mqttd/mqttd.mk voicehvacctl/voicehvacctl.mk tests/alsa/alsa.mk install.mk tests/vm/vm.mk \
        tests/fuzz/fuzz.mk tests/reliability.mk

build-all: $(BINARIES) $(TESTS) $(EXTRA_TARGETS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(VH_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)

# ---- dependencies -----------------------------------------------------------
deps:
	@tools/deps.sh $(filter-out $(NATIVE_ARCH),$(ARCH))

deps-check:
ifneq ($(DEPS),none)
	@tools/deps.sh --if-missing $(filter-out $(NATIVE_ARCH),$(ARCH))
endif

deps-arm64 deps-i386: deps-%:
	@tools/deps.sh $*

# ---- tests ------------------------------------------------------------------
# Runs the suite twice, plain and under AddressSanitizer/UBSan, and prints one
# summary line "N passed, N failed, N skipped" at the very end.
check: deps-check
	@rm -f .check-results
	@$(MAKE) --no-print-directory build-all BUILD=build
	@tests/run-tests.sh build "$(TESTS)" "$(TEST_SCRIPTS)" .check-results plain || true
	@$(MAKE) --no-print-directory check-vm BUILD=build VM_RESULTS=.check-results || true
	@$(MAKE) --no-print-directory build-all BUILD=build-asan SANITIZE=1
	@tests/run-tests.sh build-asan "$(subst build/,build-asan/,$(TESTS))" "$(TEST_SCRIPTS)" .check-results asan || true
	@tests/summarize.sh .check-results

check-quick: deps-check
	@$(MAKE) --no-print-directory build-all
	@rm -f .check-results
	@tests/run-tests.sh $(BUILD) "$(TESTS)" "$(TEST_SCRIPTS)" .check-results plain || true
	@tests/summarize.sh .check-results

# Where the arm64 cross toolchain is installed (make deps-arm64), wakeword is built for arm64 too,
# and bench-wakeword.sh times its --decode under qemu-user beside the native one.
bench: deps-check
	@$(MAKE) --no-print-directory build-all
	@! tools/deps.sh --check arm64 || \
		$(MAKE) --no-print-directory ARCH=arm64 BUILD=build-arm64 SANITIZE=0 build-arm64/wakeword/wakeword
	@VH_ARM64_BUILD=build-arm64 bench/run-bench.sh $(BUILD) "$(BENCHES)"

run: deps-check
	@$(MAKE) --no-print-directory build-all
	@tools/run-demo.sh $(BUILD)

install: deps-check
	@$(MAKE) --no-print-directory install-files

# The suite of a cross build, run here under qemu-user (tests/cross/check-cross.sh).
check-arm64 check-i386: check-%:
	@$(MAKE) --no-print-directory deps-check ARCH=
	@$(MAKE) --no-print-directory deps-check ARCH=$*
	@$(MAKE) --no-print-directory build-all ARCH=$*
	@$(MAKE) --no-print-directory check-cross ARCH=$*

check-cross:
	@tests/cross/check-cross.sh $(ARCH) $(BUILD) "$(TESTS)" "$(filter-out tests/fuzz/%,$(TEST_SCRIPTS))"

check-fresh:
	@tests/fresh/check-fresh.sh

clean:
	rm -rf build build-asan build-arm64 build-i386 .check-results .check-results-*

.PHONY: all build-all deps deps-check deps-arm64 deps-i386 check check-quick check-arm64 check-i386 check-cross \
        check-fresh bench run install clean
