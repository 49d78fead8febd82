# common/: the static library every daemon links.
COMMON_SRCS := common/log.c common/errors.c common/bus-util.c common/config.c common/fileio.c \
               common/state-file.c common/state-saver.c common/string-util.c \
               common/audio-packet.c common/private-bus.c common/strv.c common/message.c \
               common/bus-watch.c common/bus-polkit.c common/level-meter.c \
               common/unit-network.c
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/%.o)
LIBCOMMON   := $(BUILD)/common/libvoicehvac-common.a

$(LIBCOMMON): $(COMMON_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

EXTRA_TARGETS += $(LIBCOMMON)
