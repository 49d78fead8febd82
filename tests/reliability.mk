# tests/: reliability and security, measured — the bus fuzzer, the load tests, the authorisation
# test, and `make reliability`, which runs them with the fuzzers and prints what was tried and
# what was lost. The libFuzzer targets are in tests/fuzz/fuzz.mk.

BUSFUZZ_SRCS := tests/busfuzz/busfuzz.c tests/busfuzz/contract.c tests/busfuzz/values.c tests/busfuzz/health.c
BUSFUZZ_OBJS := $(BUSFUZZ_SRCS:%.c=$(BUILD)/%.o)
BUSFUZZ      := $(BUILD)/tests/busfuzz/busfuzz

EXTRA_TARGETS += $(BUSFUZZ)
$(BUSFUZZ): $(BUSFUZZ_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# The reliability tests share tests/lib/stack.c (in the harness library): the daemons on a
# private bus.

TESTS += $(BUILD)/tests/test-busfuzz
$(BUILD)/tests/test-busfuzz: $(BUILD)/tests/test-busfuzz.o $(LIBHARNESS) $(LIBCOMMON) | $(BUSFUZZ) \
                $(BUILD)/audiod/audiod $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

TESTS += $(BUILD)/tests/test-load-mute
$(BUILD)/tests/test-load-mute: $(BUILD)/tests/test-load-mute.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/audiod/audiod
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm -lpthread

TESTS += $(BUILD)/tests/test-load-streams
$(BUILD)/tests/test-load-streams: $(BUILD)/tests/test-load-streams.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/audiod/audiod
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

TESTS += $(BUILD)/tests/test-load-apply
$(BUILD)/tests/test-load-apply: $(BUILD)/tests/test-load-apply.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm -lpthread

TESTS += $(BUILD)/tests/test-authorization
$(BUILD)/tests/test-authorization: $(BUILD)/tests/test-authorization.o $(LIBHARNESS) $(LIBCOMMON) | \
                $(BUILD)/audiod/audiod $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

# `make reliability`: the fuzzers (VH_FUZZ_SECONDS each, 30 by default), the bus fuzzer, the load
# tests and the authorisation test in the plain tree, and one table of what was tried and lost.
reliability: deps-check
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory build-all BUILD=build
	@$(MAKE) -f $(firstword $(MAKEFILE_LIST)) --no-print-directory BUILD=build $(FUZZ_NAMES:%=build/fuzz/%)
	@tools/reliability-report.sh build

.PHONY: reliability
