# voicehvac — plain GNU make. Each folder adds its part through a *.mk fragment.
#
#   make            build everything into $(BUILD)/
#   make check      install deps if missing, run the suite plainly and under ASan/UBSan
#   make run        start the whole stack on a private bus (see README.md)
#   make bench      print the benchmark figures
#   make install    DESTDIR=… PREFIX=…

BUILD    ?= build
PREFIX   ?= /usr
DESTDIR  ?=
CC       ?= gcc
SANITIZE ?= 0

PKGS := libsystemd alsa json-c libudev
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wformat=2 \
           -D_GNU_SOURCE -fno-strict-aliasing -Icommon $(PKG_CFLAGS)
LDFLAGS ?=
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

BINARIES :=
TESTS :=
TEST_SCRIPTS :=
BENCHES :=
EXTRA_TARGETS :=

all: build-all

include common/common.mk tests/tests.mk
include $(wildcard audiod/audiod.mk wakeword/wakeword.mk hvacd/hvacd.mk watchdogd/watchdogd.mk \
                   voicehvacctl/voicehvacctl.mk tests/alsa/alsa.mk bench/bench.mk \
                   dbus-interfaces/dbus-interfaces.mk cgroups/cgroups.mk \
                   install.mk tests/vm/vm.mk tests/fuzz/fuzz.mk tests/reliability.mk)

build-all: $(BINARIES) $(TESTS) $(EXTRA_TARGETS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)

# ---- dependencies -----------------------------------------------------------
deps:
	@tools/deps.sh

deps-check:
	@tools/deps.sh --if-missing

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

check-quick: build-all
	@rm -f .check-results
	@tests/run-tests.sh $(BUILD) "$(TESTS)" "$(TEST_SCRIPTS)" .check-results plain || true
	@tests/summarize.sh .check-results

bench: deps-check build-all
	@bench/run-bench.sh $(BUILD) "$(BENCHES)"

run: deps-check build-all
	@tools/run-demo.sh $(BUILD)

clean:
	rm -rf build build-asan .check-results

.PHONY: all build-all deps deps-check check check-quick bench run clean install
