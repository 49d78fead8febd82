# tests/fuzz/: libFuzzer targets for the parsers that take input from files and sockets.
#
# Each target links the module it tests, compiled again with clang into $(BUILD)/fuzz/ with
# -fsanitize=fuzzer-no-link,address,undefined (the targets themselves with -fsanitize=fuzzer).
#   make fuzz                  runs each target for FUZZ_SECONDS (300) on its corpus
#   make check                 runs each for VH_FUZZ_SECONDS (20) as one test, in the plain pass
#                              only (the targets carry ASan/UBSan themselves)
# Seeds are in tests/fuzz/corpus/<target>/; what a run finds goes to $(BUILD)/fuzz/corpus/<target>/,
# crashes to $(BUILD)/fuzz/artifacts/.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_NAMES   := fuzz-config fuzz-hvac-state fuzz-intent fuzz-audio-packet fuzz-mute-state fuzz-ir-decode fuzz-daikin
FUZZ_TARGETS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/%)
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(filter-out -O% -fsanitize=% -fno-sanitize-recover=%,$(VH_CFLAGS) $(CFLAGS)) -O1 -g \
                -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) -Itests/fuzz -Ihvacd -Iaudiod -Iwakeword
FUZZ_LIBS    := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null) -lm

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/tests/fuzz/fuzz-%.o
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SANITIZE) -o $@ $(filter %.o,$^) $(FUZZ_LIBS)

# The targets objects are kept, not treated as intermediate.
.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_DIR)/tests/fuzz/%.o)

$(FUZZ_DIR)/fuzz-config: $(FUZZ_DIR)/common/config.o $(FUZZ_DIR)/common/message.o $(FUZZ_DIR)/common/fileio.o
$(FUZZ_DIR)/fuzz-hvac-state: $(FUZZ_DIR)/hvacd/persist.o $(FUZZ_DIR)/hvacd/state.o $(FUZZ_DIR)/common/string-util.o \
                             $(FUZZ_DIR)/common/config.o $(FUZZ_DIR)/common/message.o $(FUZZ_DIR)/common/fileio.o $(FUZZ_DIR)/common/state-file.o
$(FUZZ_DIR)/fuzz-intent: $(FUZZ_DIR)/wakeword/intent.o
$(FUZZ_DIR)/fuzz-audio-packet: $(FUZZ_DIR)/common/audio-packet.o
$(FUZZ_DIR)/fuzz-mute-state: $(FUZZ_DIR)/audiod/mute-state.o $(FUZZ_DIR)/common/state-file.o \
                             $(FUZZ_DIR)/common/config.o $(FUZZ_DIR)/common/message.o $(FUZZ_DIR)/common/fileio.o
$(FUZZ_DIR)/fuzz-ir-decode: $(patsubst %.c,$(FUZZ_DIR)/%.o,$(filter hvacd/ir%.c,$(HVACD_LIB_SRCS))) \
                            $(FUZZ_DIR)/hvacd/state.o $(FUZZ_DIR)/common/string-util.o
$(FUZZ_DIR)/fuzz-daikin: $(FUZZ_DIR)/hvacd/daikin.o $(FUZZ_DIR)/hvacd/state.o $(FUZZ_DIR)/common/string-util.o

# Built (and run by make check) in the plain native tree only, and only where clang can link
# libFuzzer.
ifeq ($(SANITIZE)$(CROSS),0)
FUZZ_AVAILABLE := $(shell command -v $(FUZZ_CC) >/dev/null 2>&1 && echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
                    $(FUZZ_CC) -fsanitize=fuzzer -x c -o /dev/null - >/dev/null 2>&1 && echo yes)
ifeq ($(FUZZ_AVAILABLE),yes)
EXTRA_TARGETS += $(FUZZ_TARGETS)
endif
endif
TEST_SCRIPTS += $(FUZZ_NAMES:%=tests/fuzz/test-%.sh)

fuzz: $(FUZZ_TARGETS)
	@rm -f $(BUILD)/reliability-stats
	@for f in $(FUZZ_NAMES); do \
		VH_BUILD=$(BUILD) VH_SRCDIR=$(CURDIR) VH_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run-fuzzer.sh $$f || exit 1; \
	done

.PHONY: fuzz
