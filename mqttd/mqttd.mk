# mqttd/: the hub in Home Assistant over MQTT (libmosquitto, on the sd-event loop).
MQTTD_PKGS   := libmosquitto
MQTTD_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(MQTTD_PKGS) 2>/dev/null)
MQTTD_LIBS   := $(shell $(PKG_CONFIG) --libs $(MQTTD_PKGS) 2>/dev/null || echo -lmosquitto)
MQTTD_SRCS   := mqttd/main.c mqttd/manager.c mqttd/mqttd-config.c mqttd/mqttd-bus.c mqttd/bridge.c \
                mqttd/peers.c mqttd/mqtt-client.c mqttd/ha.c mqttd/network-dropin.c
MQTTD_OBJS   := $(MQTTD_SRCS:%.c=$(BUILD)/%.o)

BINARIES += $(BUILD)/mqttd/mqttd
$(BUILD)/mqttd/%.o: VH_CFLAGS += $(MQTTD_CFLAGS)
$(BUILD)/mqttd/mqttd: $(MQTTD_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(MQTTD_LIBS) -lm
TEST_SCRIPTS += tests/test-mqttd.sh

# The parts without broker or bus, linked directly.
TESTS += $(BUILD)/tests/test-mqttd-ha
$(BUILD)/tests/test-mqttd-ha.o: VH_CFLAGS += -Imqttd $(MQTTD_CFLAGS)
$(BUILD)/tests/test-mqttd-ha: $(BUILD)/tests/test-mqttd-ha.o $(BUILD)/mqttd/ha.o $(BUILD)/mqttd/mqttd-config.o \
                $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

BENCHES += $(BUILD)/bench/bench-mqttd
EXTRA_TARGETS += $(BUILD)/bench/bench-mqttd
$(BUILD)/bench/bench-mqttd.o: VH_CFLAGS += $(TEST_CFLAGS) $(MQTTD_CFLAGS)
$(BUILD)/bench/bench-mqttd: $(BUILD)/bench/bench-mqttd.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/mqttd/mqttd $(BUILD)/hvacd/hvacd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS) $(MQTTD_LIBS) -lm
