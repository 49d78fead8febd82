# voicehvacctl/: the command-line client.
VOICEHVACCTL_SRCS := voicehvacctl/voicehvacctl.c voicehvacctl/ctl.c voicehvacctl/ctl-args.c \
                     voicehvacctl/bus-json.c voicehvacctl/status.c voicehvacctl/control.c \
                     voicehvacctl/monitor.c voicehvacctl/enrol.c voicehvacctl/polkit-agent.c
VOICEHVACCTL_OBJS := $(VOICEHVACCTL_SRCS:%.c=$(BUILD)/%.o)

BINARIES += $(BUILD)/voicehvacctl/voicehvacctl
$(BUILD)/voicehvacctl/voicehvacctl: $(VOICEHVACCTL_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
TEST_SCRIPTS += tests/test-voicehvacctl.sh

TESTS += $(BUILD)/tests/test-voicehvacctl-units
$(BUILD)/tests/test-voicehvacctl-units.o: VH_CFLAGS += -Ivoicehvacctl
$(BUILD)/tests/test-voicehvacctl-units: $(BUILD)/tests/test-voicehvacctl-units.o $(BUILD)/voicehvacctl/ctl-args.o \
                $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
