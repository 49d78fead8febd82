# wakeword/: the wake phrase and command recogniser.
WAKEWORD_LIB_SRCS := wakeword/intent.c wakeword/wav.c wakeword/vad.c wakeword/dictionary.c \
                     wakeword/recognizer.c wakeword/listener.c wakeword/wakeword-config.c \
                     wakeword/decode.c wakeword/worker.c wakeword/grammar.c wakeword/cmn-state.c \
                     wakeword/ring.c wakeword/cmn.c wakeword/decoder.c wakeword/models.c wakeword/score.c \
                     wakeword/adaptation.c wakeword/adaptation-state.c wakeword/sendump.c wakeword/clip.c \
                     wakeword/align.c wakeword/enrol.c wakeword/fit-meter.c
WAKEWORD_SRCS := wakeword/main.c wakeword/manager.c wakeword/wakeword-bus.c wakeword/stream-client.c \
                 wakeword/child.c wakeword/live-enrol.c wakeword/recognizer-build.c
WAKEWORD_LIB_OBJS := $(WAKEWORD_LIB_SRCS:%.c=$(BUILD)/%.o)
WAKEWORD_OBJS := $(WAKEWORD_SRCS:%.c=$(BUILD)/%.o)
WAKEWORD_LIB := $(BUILD)/wakeword/libwakeword.a
WAKEWORD_LIBS := $(shell $(PKG_CONFIG) --libs pocketsphinx sphinxbase 2>/dev/null) -lpthread -lm

$(BUILD)/wakeword/%.o: VH_CFLAGS += $(shell $(PKG_CONFIG) --cflags pocketsphinx sphinxbase 2>/dev/null) \
        -DWAKEWORD_DATADIR='"$(PREFIX)/share/voicehvac"'

$(WAKEWORD_LIB): $(WAKEWORD_LIB_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

BINARIES += $(BUILD)/wakeword/wakeword
$(BUILD)/wakeword/wakeword: $(WAKEWORD_OBJS) $(WAKEWORD_LIB) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(WAKEWORD_LIBS)

# Unit tests of the parts that need no bus.
$(BUILD)/tests/test-wakeword-%.o $(BUILD)/tests/test-intent.o: VH_CFLAGS += -Iwakeword \
        $(shell $(PKG_CONFIG) --cflags pocketsphinx sphinxbase 2>/dev/null)

WAKEWORD_UNIT_TESTS := $(BUILD)/tests/test-intent $(BUILD)/tests/test-wakeword-wav $(BUILD)/tests/test-wakeword-grammar \
                       $(BUILD)/tests/test-wakeword-vad $(BUILD)/tests/test-wakeword-score $(BUILD)/tests/test-wakeword-ring \
                       $(BUILD)/tests/test-wakeword-adaptation
TESTS += $(WAKEWORD_UNIT_TESTS)
$(WAKEWORD_UNIT_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(WAKEWORD_LIB) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(WAKEWORD_LIBS)

TESTS += $(BUILD)/tests/test-wakeword-audiod
$(BUILD)/tests/test-wakeword-audiod: $(BUILD)/tests/test-wakeword-audiod.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

TEST_SCRIPTS += tests/test-wakeword-decode.sh tests/test-wakeword-enrol.sh tests/test-wakeword-enrol-live.sh


BENCHES += bench/bench-wakeword.sh bench/bench-enrol.sh

# The live half of the benchmark: latency and the daemon's own cost through audiod.
EXTRA_TARGETS += $(BUILD)/bench/bench-wakeword-live
$(BUILD)/bench/bench-wakeword-live.o: VH_CFLAGS += $(TEST_CFLAGS)
$(BUILD)/bench/bench-wakeword-live: $(BUILD)/bench/bench-wakeword-live.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
