# tests/alsa/: the vhtest ALSA plugins — a file-fed capture PCM and its capture switch —
# so tests run alsa-lib, arecord and amixer on a machine without a sound card.
# See tests/alsa/make-conf.sh for how a test points alsa-lib at them.

ALSA_TEST_PLUGIN_DIR := $(BUILD)/tests/alsa
ALSA_TEST_PLUGINS    := $(ALSA_TEST_PLUGIN_DIR)/libasound_module_pcm_vhtest.so \
                        $(ALSA_TEST_PLUGIN_DIR)/libasound_module_ctl_vhtest.so

# Their own flags, never $(VH_CFLAGS) $(CFLAGS): they are dlopen()ed into unsanitized programs
# (arecord, amixer), so SANITIZE=1 must not reach them, and without -DPIC alsa-lib's
# headers reference snd_dlsym_start, which makes loading fail.
ALSA_PLUGIN_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -fPIC -DPIC -shared \
                      $(shell $(PKG_CONFIG) --cflags alsa 2>/dev/null)
ALSA_PLUGIN_LIBS   := $(or $(shell $(PKG_CONFIG) --libs alsa 2>/dev/null),-lasound)

PCM_VHTEST_SRCS := tests/alsa/pcm_vhtest.c tests/alsa/pcm_vhtest_source.c \
                   tests/alsa/pcm_vhtest_model.c tests/alsa/pcm_vhtest_config.c tests/alsa/vhtest-options.c
CTL_VHTEST_SRCS := tests/alsa/ctl_vhtest.c tests/alsa/vhtest-options.c

$(ALSA_TEST_PLUGIN_DIR)/libasound_module_pcm_vhtest.so: $(PCM_VHTEST_SRCS) tests/alsa/pcm_vhtest.h \
                tests/alsa/vhtest-options.h tests/alsa/vhtest-switch.h
	@mkdir -p $(@D)
	$(CC) $(ALSA_PLUGIN_CFLAGS) -o $@ $(PCM_VHTEST_SRCS) $(ALSA_PLUGIN_LIBS)

$(ALSA_TEST_PLUGIN_DIR)/libasound_module_ctl_vhtest.so: $(CTL_VHTEST_SRCS) tests/alsa/vhtest-options.h \
                tests/alsa/vhtest-switch.h
	@mkdir -p $(@D)
	$(CC) $(ALSA_PLUGIN_CFLAGS) -o $@ $(CTL_VHTEST_SRCS) $(ALSA_PLUGIN_LIBS)

EXTRA_TARGETS += $(ALSA_TEST_PLUGINS)

# The test finds the plugins and make-conf.sh through $VH_BUILD/$VH_SRCDIR (set by
# tests/run-tests.sh) or, when run by hand, through these built-in paths.
$(BUILD)/tests/test-alsa-plugin.o: VH_CFLAGS += \
        -DVHTEST_PLUGIN_DIR='"$(abspath $(ALSA_TEST_PLUGIN_DIR))"' \
        -DVHTEST_MAKE_CONF='"$(abspath tests/alsa/make-conf.sh)"'

# Its checks, grouped by job, live beside the plugins.
ALSA_PLUGIN_CHECKS := $(addprefix $(BUILD)/tests/alsa/,vhtest-checks-util.o vhtest-checks-pcm.o vhtest-checks-ctl.o)
$(BUILD)/tests/test-alsa-plugin.o $(ALSA_PLUGIN_CHECKS): VH_CFLAGS += -Itests/alsa

TESTS += $(BUILD)/tests/test-alsa-plugin
$(BUILD)/tests/test-alsa-plugin: $(BUILD)/tests/test-alsa-plugin.o $(ALSA_PLUGIN_CHECKS) | $(ALSA_TEST_PLUGINS)
	$(CC) $(VH_LDFLAGS) $(LDFLAGS) -o $@ $^ -lasound
