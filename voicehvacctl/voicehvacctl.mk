# voicehvacctl/: the command-line client.
VOICEHVACCTL_SRCS := voicehvacctl/voicehvacctl.c voicehvacctl/monitor.c
VOICEHVACCTL_OBJS := $(VOICEHVACCTL_SRCS:%.c=$(BUILD)/%.o)

BINARIES += $(BUILD)/voicehvacctl/voicehvacctl
$(BUILD)/voicehvacctl/voicehvacctl: $(VOICEHVACCTL_OBJS) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
