# audiod: the one owner of the microphone.
AUDIOD_SRCS := audiod/main.c audiod/manager.c audiod/audiod-bus.c audiod/capture.c audiod/mixer.c \
               audiod/stream.c audiod/hotplug.c audiod/mute-state.c \
               audiod/pulse-glue.c audiod/pulse-mirror.c
AUDIOD_OBJS := $(AUDIOD_SRCS:%.c=$(BUILD)/%.o)

BINARIES += $(BUILD)/audiod/audiod
$(BUILD)/audiod/audiod: $(AUDIOD_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs libpulse)

TESTS += $(BUILD)/tests/test-audiod
$(BUILD)/tests/test-audiod: $(BUILD)/tests/test-audiod.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

TEST_SCRIPTS += tests/test-audiod-config.sh tests/test-audiod-pulse.sh

BENCHES += $(BUILD)/bench/bench-audiod
EXTRA_TARGETS += $(BUILD)/bench/bench-audiod
$(BUILD)/bench/bench-audiod.o: VH_CFLAGS += $(TEST_CFLAGS)
$(BUILD)/bench/bench-audiod: $(BUILD)/bench/bench-audiod.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/audiod/audiod
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

TESTS += $(BUILD)/tests/test-mute-state
$(BUILD)/tests/test-mute-state.o: VH_CFLAGS += -Iaudiod
$(BUILD)/tests/test-mute-state: $(BUILD)/tests/test-mute-state.o $(BUILD)/audiod/mute-state.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
