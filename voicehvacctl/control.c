/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdio.h>

#include "bus-util.h"
#include "control.h"
#include "ctl-args.h"
#include "ctl.h"
#include "polkit-agent.h"

int verb_mute(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(polkit_agent_closep) pid_t agent = 0;
        bool mute = streq(argv[0], "mute");

        if (argc > 1)
                return ctl_usage_error("'%s' takes no arguments.", argv[0]);
        /* Muting is anyone's; unmuting may be polkit's question (org.voicehvac.audio.unmute). */
        if (!mute)
                agent = ctl_polkit_agent_open();
        if (ctl_bus_open(&bus) < 0)
                return EXIT_ERROR;
        if (ctl_call(bus, SERVICE_AUDIO, mute ? "Failed to mute" : "Failed to unmute", "SetMute", "b", mute) < 0)
                return EXIT_ERROR;
        return EXIT_OK;
}

/* "set temperature 24", "set mode cool", "set fan high": checked here, sent to hvacd. */
int verb_set(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(polkit_agent_closep) pid_t agent = 0;
        const char *what = argc > 1 ? argv[1] : NULL, *value = argc > 2 ? argv[2] : NULL, *word;
        double t;
        int r;

        if (argc != 3)
                return ctl_usage_error("Usage: set temperature DEGREES | set mode MODE | set fan SPEED");

        if (streq(what, "temperature") || streq(what, "temp")) {
                if (parse_temperature(value, &t) < 0)
                        return ctl_usage_error("Invalid temperature '%s': expected a number of °C, e.g. 24 or 22.5.",
                                               value);
                agent = ctl_polkit_agent_open();     /* org.voicehvac.hvac.set */
                if (ctl_bus_open(&bus) < 0)
                        return EXIT_ERROR;
                r = ctl_call(bus, SERVICE_HVAC, "Failed to set the temperature", "SetTargetTemperature", "d", t);
        } else if (streq(what, "mode")) {
                word = parse_mode(value);
                if (!word)
                        return ctl_usage_error("Invalid mode '%s': expected one of " VH_HVAC_MODES_LIST ".", value);
                agent = ctl_polkit_agent_open();     /* org.voicehvac.hvac.set */
                if (ctl_bus_open(&bus) < 0)
                        return EXIT_ERROR;
                r = ctl_call(bus, SERVICE_HVAC, "Failed to set the mode", "SetMode", "s", word);
        } else if (streq(what, "fan")) {
                word = parse_fan_speed(value);
                if (!word)
                        return ctl_usage_error("Invalid fan speed '%s': expected one of " VH_HVAC_FANS_LIST ".", value);
                agent = ctl_polkit_agent_open();     /* org.voicehvac.hvac.set */
                if (ctl_bus_open(&bus) < 0)
                        return EXIT_ERROR;
                r = ctl_call(bus, SERVICE_HVAC, "Failed to set the fan speed", "SetFanSpeed", "s", word);
        } else
                return ctl_usage_error("Unknown setting '%s': expected temperature, mode or fan.", what);

        return r < 0 ? EXIT_ERROR : EXIT_OK;
}

int verb_power(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(polkit_agent_closep) pid_t agent = 0;
        int on;

        if (argc != 2)
                return ctl_usage_error("Usage: power on|off");
        on = parse_on_off(argv[1]);
        if (on < 0)
                return ctl_usage_error("Invalid power '%s': expected on or off.", argv[1]);
        agent = ctl_polkit_agent_open();             /* org.voicehvac.hvac.set */
        if (ctl_bus_open(&bus) < 0)
                return EXIT_ERROR;
        if (ctl_call(bus, SERVICE_HVAC, on ? "Failed to switch on" : "Failed to switch off", "SetPower", "b", on) < 0)
                return EXIT_ERROR;
        return EXIT_OK;
}
