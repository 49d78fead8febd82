/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>

#include "private-bus.h"

int private_bus_config(const char *socket_path, char **ret_text) {
        if (asprintf(ret_text,
                     "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                     " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                     "<busconfig>\n"
                     "  <type>system</type>\n"
                     "  <listen>unix:path=%s</listen>\n"
                     "  <auth>EXTERNAL</auth>\n"
                     "  <policy context=\"default\">\n"
                     "    <allow user=\"*\"/>\n"
                     "    <allow own=\"*\"/>\n"
                     "    <allow send_type=\"method_call\"/>\n"
                     "    <allow send_destination=\"*\"/>\n"
                     "    <allow receive_sender=\"*\"/>\n"
                     "  </policy>\n"
                     "</busconfig>\n",
                     socket_path) < 0) {
                *ret_text = NULL;
                return -ENOMEM;
        }
        return 0;
}
