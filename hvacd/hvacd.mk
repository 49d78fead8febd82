# hvacd/: the air conditioner's state, its backends, tests and benchmark.
# libcurl is hvacd's own, for the http backend, which loads it (dlopen) when it is used: only its
# headers are needed at build time.
HVACD_PKGS     := libcurl
HVACD_CFLAGS   := $(shell $(PKG_CONFIG) --cflags $(HVACD_PKGS) 2>/dev/null)
HVACD_LIB_SRCS := hvacd/state.c hvacd/persist.c hvacd/hvac-config.c hvacd/ir.c hvacd/ir-read.c \
                  hvacd/ir-coolix.c hvacd/ir-midea.c hvacd/ir-gree.c hvacd/ir-mitsubishi.c \
                  hvacd/ir-mitsubishi112.c hvacd/ir-daikin.c hvacd/ir-daikin-short.c \
                  hvacd/ir-fujitsu.c hvacd/ir-lg.c \
                  hvacd/ir-panasonic.c hvacd/ir-hitachi.c \
                  hvacd/ir-samsung.c hvacd/ir-toshiba.c hvacd/ir-mitsubishi-heavy.c \
                  hvacd/lirc-receiver.c hvacd/network-dropin.c \
                  hvacd/backend-sim.c hvacd/backend-lirc.c hvacd/daikin.c \
                  hvacd/backend-http.c
HVACD_SRCS     := $(HVACD_LIB_SRCS) hvacd/manager.c hvacd/hvac-bus.c hvacd/main.c
HVACD_OBJS     := $(HVACD_SRCS:%.c=$(BUILD)/%.o)
HVACD_LIB_OBJS := $(HVACD_LIB_SRCS:%.c=$(BUILD)/%.o)
# The capture files' reader and checks, for the tests and the compatibility benchmark.
IR_CAPTURE_OBJS := $(BUILD)/hvacd/ir-capture.o

BINARIES += $(BUILD)/hvacd/hvacd
$(BUILD)/hvacd/%.o: VH_CFLAGS += $(HVACD_CFLAGS)
$(BUILD)/hvacd/hvacd: $(HVACD_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread

# Unit tests link the bus-free parts directly.
$(BUILD)/tests/test-hvac-%.o: VH_CFLAGS += -Ihvacd

TESTS += $(BUILD)/tests/test-hvac-state $(BUILD)/tests/test-hvac-ir $(BUILD)/tests/test-hvac-backend \
         $(BUILD)/tests/test-hvac-bus $(BUILD)/tests/test-hvac-http $(BUILD)/tests/test-hvac-daikin
$(BUILD)/tests/test-hvac-daikin: $(BUILD)/tests/test-hvac-daikin.o $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
$(BUILD)/tests/test-hvac-state: $(BUILD)/tests/test-hvac-state.o $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
$(BUILD)/tests/test-hvac-ir: $(BUILD)/tests/test-hvac-ir.o $(IR_CAPTURE_OBJS) $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
$(BUILD)/tests/test-hvac-backend: $(BUILD)/tests/test-hvac-backend.o $(HVACD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
# The integration test drives the real daemon; it links nothing of it.
$(BUILD)/tests/test-hvac-bus: $(BUILD)/tests/test-hvac-bus.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

# Against tests/daikin-emulator.py, the emulated adapter it starts.
$(BUILD)/tests/test-hvac-http: $(BUILD)/tests/test-hvac-http.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

TEST_SCRIPTS += tests/test-hvacd.sh

BENCHES += $(BUILD)/bench/bench-hvacd
EXTRA_TARGETS += $(BUILD)/bench/bench-hvacd
$(BUILD)/bench/bench-hvacd.o: VH_CFLAGS += $(TEST_CFLAGS)
$(BUILD)/bench/bench-hvacd: $(BUILD)/bench/bench-hvacd.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm

# The IR protocols against captures of real remotes.
BENCHES += $(BUILD)/bench/bench-ir
EXTRA_TARGETS += $(BUILD)/bench/bench-ir
$(BUILD)/bench/bench-ir.o: VH_CFLAGS += -Ihvacd
$(BUILD)/bench/bench-ir: $(BUILD)/bench/bench-ir.o $(IR_CAPTURE_OBJS) $(HVACD_LIB_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -lpthread
# How it explains the captures that disagree.
TEST_SCRIPTS += tests/test-bench-ir.sh

BENCHES += $(BUILD)/bench/bench-hvacd-http
EXTRA_TARGETS += $(BUILD)/bench/bench-hvacd-http
$(BUILD)/bench/bench-hvacd-http.o: VH_CFLAGS += $(TEST_CFLAGS)
$(BUILD)/bench/bench-hvacd-http: $(BUILD)/bench/bench-hvacd-http.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) -lm
