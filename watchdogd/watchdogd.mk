# watchdogd/: health checks, restarts by rules, and supervision without systemd.
WATCHDOGD_LIB_SRCS := watchdogd/rules.c watchdogd/cgroup.c watchdogd/psi.c \
                      watchdogd/proc-asound.c watchdogd/watchdog-config.c
WATCHDOGD_SRCS     := $(WATCHDOGD_LIB_SRCS) watchdogd/service.c watchdogd/supervisor.c watchdogd/service-bus.c \
                      watchdogd/manager.c watchdogd/watchdog-bus.c watchdogd/main.c
WATCHDOGD_OBJS     := $(WATCHDOGD_SRCS:%.c=$(BUILD)/%.o)
WATCHDOGD_LIB_OBJS := $(WATCHDOGD_LIB_SRCS:%.c=$(BUILD)/%.o)

# The defaults name this PREFIX's files, like the installed watchdogd.json.
$(WATCHDOGD_OBJS): VH_CFLAGS += -DVOICEHVAC_LIBEXECDIR='"$(LIBEXECDIR)"' -DVOICEHVAC_DATADIR='"$(PREFIX)/share/voicehvac"'

BINARIES += $(BUILD)/watchdogd/watchdogd
$(BUILD)/watchdogd/watchdogd: $(WATCHDOGD_OBJS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests link the bus-free parts directly.
WATCHDOGD_UNIT_TESTS := test-watchdogd-rules test-watchdogd-psi test-watchdogd-proc-asound test-watchdogd-config \
                        test-cgroup test-watchdogd-pressure
$(WATCHDOGD_UNIT_TESTS:%=$(BUILD)/tests/%.o): VH_CFLAGS += -Iwatchdogd

# test-watchdogd-pressure puts a real load on the machine for about 9 s, needs root and cgroup v2.
TESTS += $(WATCHDOGD_UNIT_TESTS:%=$(BUILD)/tests/%)
$(WATCHDOGD_UNIT_TESTS:%=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/%.o \
                $(WATCHDOGD_LIB_OBJS) $(LIBHARNESS) $(LIBCOMMON)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Integration tests drive the real daemons; they link nothing of watchdogd.
TESTS += $(BUILD)/tests/test-watchdogd
$(BUILD)/tests/test-watchdogd: $(BUILD)/tests/test-watchdogd.o $(LIBHARNESS) $(LIBCOMMON) | $(BUILD)/watchdogd/watchdogd
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(PKG_LIBS)

TEST_SCRIPTS += tests/test-watchdogd-snd.sh tests/test-run-demo.sh

BENCHES += bench/bench-watchdogd.sh
