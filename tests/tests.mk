# tests/: the shared harness; each module's test programs are added by its own fragment.
HARNESS_SRCS := tests/lib/harness.c tests/lib/hvac-client.c tests/lib/stack.c
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(BUILD)/%.o)
LIBHARNESS   := $(BUILD)/tests/lib/libharness.a
TEST_CFLAGS  := -Itests/lib

$(LIBHARNESS): $(HARNESS_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/tests/%.o: VH_CFLAGS += $(TEST_CFLAGS)

TESTS += $(BUILD)/tests/test-common
$(BUILD)/tests/test-common: $(BUILD)/tests/test-common.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm


TESTS += $(BUILD)/tests/test-state-file
$(BUILD)/tests/test-state-file: $(BUILD)/tests/test-state-file.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The state directory on a small tmpfs that fills up, with every daemon; needs root for the mount.
TESTS += $(BUILD)/tests/test-full-disk
$(BUILD)/tests/test-full-disk: $(BUILD)/tests/test-full-disk.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/audiod/audiod \
                $(BUILD)/hvacd/hvacd $(BUILD)/watchdogd/watchdogd $(BUILD)/wakeword/wakeword $(BUILD)/voicehvacctl/voicehvacctl
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

TESTS += $(BUILD)/tests/test-bus-watch
$(BUILD)/tests/test-bus-watch: $(BUILD)/tests/test-bus-watch.o $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
