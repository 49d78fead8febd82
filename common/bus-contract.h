/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus contract in one place: the names, paths and interfaces of the four services, the
 * named errors they answer with, and the HVAC words a caller may send. Each must match
 * dbus-interfaces/org.voicehvac.*.xml (and its .conf) exactly; the daemons, voicehvacctl and
 * the tests take them from here. */

#define VH_AUDIO_BUS_NAME          "org.voicehvac.Audio1"
#define VH_AUDIO_OBJECT_PATH       "/org/voicehvac/Audio1"
#define VH_AUDIO_INTERFACE         "org.voicehvac.Audio1"

#define VH_HVAC_BUS_NAME           "org.voicehvac.Hvac1"
#define VH_HVAC_OBJECT_PATH        "/org/voicehvac/Hvac1"
#define VH_HVAC_INTERFACE          "org.voicehvac.Hvac1"

#define VH_WAKEWORD_BUS_NAME       "org.voicehvac.WakeWord1"
#define VH_WAKEWORD_OBJECT_PATH    "/org/voicehvac/WakeWord1"
#define VH_WAKEWORD_INTERFACE      "org.voicehvac.WakeWord1"

/* Audio1's Level signal: one reading per this much audio, while someone listens (StartLevel). */
#define VH_AUDIO_LEVEL_SPAN_USEC   (100 * 1000ULL)

#define VH_WATCHDOG_BUS_NAME       "org.voicehvac.Watchdog1"
#define VH_WATCHDOG_OBJECT_PATH    "/org/voicehvac/Watchdog1"
#define VH_WATCHDOG_INTERFACE      "org.voicehvac.Watchdog1"

#define VH_MQTT_BUS_NAME           "org.voicehvac.Mqtt1"
#define VH_MQTT_OBJECT_PATH        "/org/voicehvac/Mqtt1"
#define VH_MQTT_INTERFACE          "org.voicehvac.Mqtt1"

#define VH_ERROR_PREFIX            "org.voicehvac.Error."
#define VH_ERROR_INVALID_ARGUMENT  VH_ERROR_PREFIX "InvalidArgument"
#define VH_ERROR_NOT_AUTHORIZED    VH_ERROR_PREFIX "NotAuthorized"
#define VH_ERROR_DEVICE_UNAVAILABLE VH_ERROR_PREFIX "DeviceUnavailable"
#define VH_ERROR_BACKEND_FAILED    VH_ERROR_PREFIX "BackendFailed"
#define VH_ERROR_HARDWARE_MUTED    VH_ERROR_PREFIX "HardwareMuted"
#define VH_ERROR_LIMIT_EXCEEDED    VH_ERROR_PREFIX "LimitExceeded"
#define VH_ERROR_BUSY              VH_ERROR_PREFIX "Busy"
#define VH_ERROR_NOT_SUPPORTED     VH_ERROR_PREFIX "NotSupported"
#define VH_ERROR_FAILED            VH_ERROR_PREFIX "Failed"

/* The polkit actions (dbus-interfaces/org.voicehvac.policy) that grant what group voicehvac
 * grants: changing the air conditioner, unmuting. */
#define VH_POLKIT_HVAC_SET         "org.voicehvac.hvac.set"
#define VH_POLKIT_AUDIO_UNMUTE     "org.voicehvac.audio.unmute"

/* Hvac1's Mode and FanSpeed words (SetMode, SetFanSpeed, ApplyState, the state file), in the
 * order of hvacd's HvacMode and HvacFan. */
#define VH_HVAC_MODE_COOL          "cool"
#define VH_HVAC_MODE_HEAT          "heat"
#define VH_HVAC_MODE_DRY           "dry"
#define VH_HVAC_MODE_FAN_ONLY      "fan_only"
#define VH_HVAC_MODE_AUTO          "auto"

#define VH_HVAC_FAN_AUTO           "auto"
#define VH_HVAC_FAN_LOW            "low"
#define VH_HVAC_FAN_MEDIUM         "medium"
#define VH_HVAC_FAN_HIGH           "high"

/* For an array initializer: { VH_HVAC_MODE_WORDS, NULL }. */
#define VH_HVAC_MODE_WORDS \
        VH_HVAC_MODE_COOL, VH_HVAC_MODE_HEAT, VH_HVAC_MODE_DRY, VH_HVAC_MODE_FAN_ONLY, VH_HVAC_MODE_AUTO
#define VH_HVAC_FAN_WORDS \
        VH_HVAC_FAN_AUTO, VH_HVAC_FAN_LOW, VH_HVAC_FAN_MEDIUM, VH_HVAC_FAN_HIGH

/* The same words for a message: "cool, heat, dry, fan_only, auto". */
#define VH_HVAC_MODES_LIST \
        VH_HVAC_MODE_COOL ", " VH_HVAC_MODE_HEAT ", " VH_HVAC_MODE_DRY ", " VH_HVAC_MODE_FAN_ONLY ", " \
        VH_HVAC_MODE_AUTO
#define VH_HVAC_FANS_LIST \
        VH_HVAC_FAN_AUTO ", " VH_HVAC_FAN_LOW ", " VH_HVAC_FAN_MEDIUM ", " VH_HVAC_FAN_HIGH
