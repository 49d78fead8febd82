# audiod: the one owner of the microphone.
AUDIOD_SRCS := audiod/main.c audiod/manager.c audiod/audiod-bus.c audiod/capture.c audiod/mixer.c \
               audiod/stream.c audiod/hotplug.c audiod/mute-state.c \
               audiod/pulse-glue.c audiod/pulse-mirror.c audiod/pulse-dlopen.c audiod/alsa-config.c
AUDIOD_OBJS := $(AUDIOD_SRCS:%.c=$(BUILD)/%.o)

BINARIES += $(BUILD)/audiod/audiod
$(BUILD)/audiod/audiod: $(AUDIOD_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

TESTS += $(BUILD)/tests/test-audiod
$(BUILD)/tests/test-audiod: $(BUILD)/tests/test-audiod.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

TEST_SCRIPTS += tests/test-audiod-config.sh tests/test-audiod-pulse.sh tests/test-audiod-capture-pulse.sh \
                tests/test-audiod-capture-pipewire.sh tests/test-audiod-stall-health.sh tests/test-interfaces-gdbus.sh

# What a stream carried (packets, tone frequency, level), for the shell tests.
EXTRA_TARGETS += $(BUILD)/tests/audio-probe
$(BUILD)/tests/audio-probe: $(BUILD)/tests/audio-probe.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

BENCHES += $(BUILD)/bench/bench-audiod bench/bench-audiod-paths.sh
EXTRA_TARGETS += $(BUILD)/bench/bench-audiod
$(BUILD)/bench/bench-audiod.o: VH_CFLAGS += $(TEST_CFLAGS)
$(BUILD)/bench/bench-audiod: $(BUILD)/bench/bench-audiod.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/audiod/audiod
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The device monitor on its own: udev events, retry delays, a real libudev monitor.
TESTS += $(BUILD)/tests/test-audiod-hotplug
$(BUILD)/tests/test-audiod-hotplug.o: VH_CFLAGS += -Iaudiod
$(BUILD)/tests/test-audiod-hotplug: $(BUILD)/tests/test-audiod-hotplug.o $(BUILD)/audiod/hotplug.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

TESTS += $(BUILD)/tests/test-mute-state
$(BUILD)/tests/test-mute-state.o: VH_CFLAGS += -Iaudiod
$(BUILD)/tests/test-mute-state: $(BUILD)/tests/test-mute-state.o $(BUILD)/audiod/mute-state.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
