# hvacd/: the air conditioner's state, its backends, tests and benchmark.
HVACD_LIB_SRCS := hvacd/state.c hvacd/persist.c hvacd/hvac-config.c hvacd/ir.c hvacd/ir-coolix.c \
                  hvacd/ir-gree.c hvacd/backend-sim.c hvacd/backend-lirc.c
HVACD_SRCS     := $(HVACD_LIB_SRCS) hvacd/manager.c hvacd/hvac-bus.c hvacd/main.c
HVACD_OBJS     := $(HVACD_SRCS:%.c=$(BUILD)/%.o)
HVACD_LIB_OBJS := $(HVACD_LIB_SRCS:%.c=$(BUILD)/%.o)

BINARIES += $(BUILD)/hvacd/hvacd
$(BUILD)/hvacd/hvacd: $(HVACD_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread

# Unit tests link the bus-free parts directly.
$(BUILD)/tests/test-hvac-%.o: VH_CFLAGS += -Ihvacd

TESTS += $(BUILD)/tests/test-hvac-state $(BUILD)/tests/test-hvac-ir $(BUILD)/tests/test-hvac-backend \
         $(BUILD)/tests/test-hvac-bus
$(BUILD)/tests/test-hvac-state: $(BUILD)/tests/test-hvac-state.o $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
$(BUILD)/tests/test-hvac-ir: $(BUILD)/tests/test-hvac-ir.o $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
$(BUILD)/tests/test-hvac-backend: $(BUILD)/tests/test-hvac-backend.o $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
# The integration test drives the real daemon; it links nothing of it.
$(BUILD)/tests/test-hvac-bus: $(BUILD)/tests/test-hvac-bus.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

TEST_SCRIPTS += tests/test-hvacd.sh

BENCHES += $(BUILD)/bench/bench-hvacd
EXTRA_TARGETS += $(BUILD)/bench/bench-hvacd
$(BUILD)/bench/bench-hvacd.o: VH_CFLAGS += $(TEST_CFLAGS)
$(BUILD)/bench/bench-hvacd: $(BUILD)/bench/bench-hvacd.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm
