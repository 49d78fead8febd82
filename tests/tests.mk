# tests/: the shared harness; each module's test programs are added by its own fragment.
HARNESS_SRCS := tests/lib/harness.c
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

