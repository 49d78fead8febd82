/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvacd's backends in an event loop of their own, without a bus: the sim's room model settles
 * and then stops waking up; the lirc backend writes exactly the encoded frame (to a regular file
 * standing in for /dev/lirc0), reports open and ioctl failures instead of hiding them, and with
 * a receiver (a FIFO of mode2 words standing in for it) reports the remote's presses, and not
 * the echo of its own frames; a protocol's clock is the local time of each send (TZ set here),
 * or the options' with lirc.clock 'fixed'. */

#include <fcntl.h>
#include <linux/lirc.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "fileio.h"
#include "harness.h"

typedef struct Observed {
        unsigned transmitted;
        int result;
        unsigned temperature_updates;
        double temperature;
        unsigned received;
        HvacState state;
        bool has_fan, has_temperature;
} Observed;

static void on_transmitted(HvacBackend *b, int result, void *userdata) {
        Observed *o = userdata;
        o->transmitted++;
        o->result = result;
}

static void on_temperature(HvacBackend *b, double celsius, void *userdata) {
        Observed *o = userdata;
        o->temperature_updates++;
        o->temperature = celsius;
}

static void on_received(HvacBackend *b, const HvacState *s, bool has_fan, bool has_temperature, void *userdata) {
        Observed *o = userdata;
        o->received++;
        o->state = *s;
        o->has_fan = has_fan;
        o->has_temperature = has_temperature;
}

static const HvacBackendCallbacks callbacks = { on_transmitted, on_temperature, on_received };

/* Runs the loop until cond holds or the time is up. */
#define RUN_UNTIL(event, cond, timeout_usec)                                                    \
        ({                                                                                      \
                usec_t _end_ = now_usec(CLOCK_MONOTONIC) + (timeout_usec);                      \
                while (!(cond) && now_usec(CLOCK_MONOTONIC) < _end_)                            \
                        (void) sd_event_run((event), 10 * USEC_PER_MSEC);                       \
                (cond);                                                                         \
        })

static void test_sim(sd_event *event) {
        _cleanup_free_ char *log = test_tmp_path("sim-tx.log"), *text = NULL;
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        SimConfig config = {
                .ambient = 28,
                .initial_temperature = NAN,
                .rate_per_minute = 600,         /* 0.1 °C per 10 ms */
                .drift_per_minute = 300,
                .resolution = 0.1,
                .transmit_log = log,
        };
        HvacState off = { false, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO }, cool = off;
        Observed o = {};
        usec_t start;
        int r;

        require(hvac_backend_new_sim(event, &config, &off, &callbacks, &o, &b) == 0, "sim backend");
        check(streq(b->ops->name, "sim") && !b->ops->assumed, "name, not assumed");
        check(hvac_backend_current_temperature(b) == 28, "starts at ambient");

        /* Off at ambient: settled, so nothing at all happens. */
        r = sd_event_run(event, 100 * USEC_PER_MSEC);
        check(r == 0 && o.temperature_updates == 0, "settled at start: no wakeups (%d, %u)", r, o.temperature_updates);

        cool.power = true;
        start = now_usec(CLOCK_MONOTONIC);
        check(hvac_backend_transmit(b, &cool) == 0, "sim transmits at once");
        check(RUN_UNTIL(event, o.temperature == 24, 5 * USEC_PER_SEC), "cools to 24: %g", o.temperature);
        check(o.temperature_updates >= 39 && o.temperature_updates <= 41, "in 0.1 °C steps: %u",
              o.temperature_updates);
        check(now_usec(CLOCK_MONOTONIC) - start >= 350 * USEC_PER_MSEC, "at the configured rate");

        /* Settled again: the timer is off. */
        o.temperature_updates = 0;
        r = sd_event_run(event, 200 * USEC_PER_MSEC);
        check(r == 0 && o.temperature_updates == 0, "no wakeups once settled (%d, %u)", r, o.temperature_updates);

        /* Switched off, the room drifts back to ambient. */
        check(hvac_backend_transmit(b, &off) == 0, "off");
        check(RUN_UNTIL(event, o.temperature == 28, 5 * USEC_PER_SEC), "drifts back to 28: %g", o.temperature);

        /* The transmit log holds one line per transmission, the last one the last state. */
        require(read_full_file(log, 4096, &text, NULL) == 0, "read log");
        check(strstr(text, "\"transmission\":1,") && strstr(text, "\"transmission\":2,") &&
              !strstr(text, "\"transmission\":3,"), "two lines: %s", text);
        check(strstr(text, "\"power\":true,\"mode\":\"cool\",\"target_temperature\":24"), "first state: %s", text);

        /* A log that cannot be written is a transmission that did not arrive. */
        b = hvac_backend_free(b);
        config.transmit_log = (char *) "/nonexistent/dir/tx.log";
        require(hvac_backend_new_sim(event, &config, &off, &callbacks, &o, &b) == 0, "sim backend");
        check(hvac_backend_transmit(b, &cool) == -ENOENT, "failed transmission reported");
        r = sd_event_run(event, 100 * USEC_PER_MSEC);
        check(r == 0, "and the room did not start moving");
}

static void test_lirc_file(sd_event *event) {
        _cleanup_free_ char *dev = test_tmp_path("lirc0"), *data = NULL;
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        LircConfig config = { .device = dev, .protocol = (char *) "gree" };
        HvacState s = { true, HVAC_MODE_HEAT, 22, HVAC_FAN_HIGH };
        IrFrame *f = malloc(sizeof(IrFrame));
        Observed o = {};
        size_t size;

        require(f, "alloc");
        require(test_write_file(dev, "") == 0, "device stand-in");
        require(hvac_backend_new_lirc(event, &config, &callbacks, &o, &b) == 0, "lirc backend");
        check(streq(b->ops->name, "lirc") && b->ops->assumed, "name, assumed");
        check(isnan(hvac_backend_current_temperature(b)), "no sensor");

        check(hvac_backend_transmit(b, &s) == -EINPROGRESS, "sent from the sender thread");
        check(RUN_UNTIL(event, o.transmitted == 1, 5 * USEC_PER_SEC) && o.result == 0, "done: %d", o.result);
        s.fan = HVAC_FAN_LOW;
        check(hvac_backend_transmit(b, &s) == -EINPROGRESS, "second");
        check(RUN_UNTIL(event, o.transmitted == 2, 5 * USEC_PER_SEC) && o.result == 0, "done: %d", o.result);

        /* Exactly the two frames, as the native 32-bit samples LIRC_MODE_PULSE takes. */
        require(ir_encode(&ir_protocol_gree, &s, NULL, f) == 0, "encode");
        require(read_full_file(dev, 64 * 1024, &data, &size) == 0, "read");
        check(size == 2 * f->n * sizeof(uint32_t), "two frames of %zu samples: %zu bytes", f->n, size);
        check(size >= 2 * f->n * sizeof(uint32_t) &&
              memcmp(data + f->n * sizeof(uint32_t), f->samples, f->n * sizeof(uint32_t)) == 0,
              "second frame is the second state");
        free(f);
}

/* lirc.fan_table: the frame carries the table's code, for a remote whose high is code 7. */
static void test_lirc_fan_table(sd_event *event) {
        _cleanup_free_ char *dev = test_tmp_path("lirc-samsung"), *data = NULL;
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        const IrFanTable *upper = ir_fan_table_find(&ir_protocol_samsung, "upper");
        HvacState s = { true, HVAC_MODE_COOL, 24, HVAC_FAN_HIGH };
        Observed o = {};
        IrDecoded d;
        size_t size;

        require(upper && test_write_file(dev, "") == 0, "device stand-in");
        require(hvac_backend_new_lirc(event, &(LircConfig) { .device = dev, .protocol = (char *) "samsung",
                                                             .fan_table = (char *) "upper" },
                                      &callbacks, &o, &b) == 0, "lirc backend, samsung, fan table upper");
        check(hvac_backend_transmit(b, &s) == -EINPROGRESS, "sent");
        check(RUN_UNTIL(event, o.transmitted == 1, 5 * USEC_PER_SEC) && o.result == 0, "done: %d", o.result);
        require(read_full_file(dev, 64 * 1024, &data, &size) == 0 && size > 0, "read");
        check(ir_decode_table(&ir_protocol_samsung, upper, (const uint32_t *) data, size / sizeof(uint32_t), &d) == 0 &&
              d.has_fan && d.state.fan == HVAC_FAN_HIGH, "the frame is upper's high");
        check(ir_decode(&ir_protocol_samsung, (const uint32_t *) data, size / sizeof(uint32_t), &d) == 0 &&
              d.fan_beyond_model, "which the protocol's own table has no word for");
        check(hvac_backend_new_lirc(event, &(LircConfig) { .device = dev, .protocol = (char *) "samsung",
                                                           .fan_table = (char *) "uper" },
                                    &callbacks, &o, &(HvacBackend *) { NULL }) == -EINVAL, "unknown fan table");
}

static void test_lirc_failures(sd_event *event) {
        _cleanup_(hvac_backend_freep) HvacBackend *missing = NULL, *not_lirc = NULL;
        HvacState s = { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO };
        Observed o1 = {}, o2 = {};

        require(hvac_backend_new_lirc(event, &(LircConfig) { .device = (char *) "/nonexistent/lirc0",
                                                             .protocol = (char *) "coolix" },
                                      &callbacks, &o1, &missing) == 0, "lirc backend");
        check(hvac_backend_transmit(missing, &s) == -EINPROGRESS, "started");
        check(RUN_UNTIL(event, o1.transmitted == 1, 5 * USEC_PER_SEC) && o1.result == -ENOENT,
              "missing device: %d", o1.result);

        /* A character device that is not a LIRC device. */
        require(hvac_backend_new_lirc(event, &(LircConfig) { .device = (char *) "/dev/null",
                                                             .protocol = (char *) "coolix" },
                                      &callbacks, &o2, &not_lirc) == 0, "lirc backend");
        check(hvac_backend_transmit(not_lirc, &s) == -EINPROGRESS, "started");
        check(RUN_UNTIL(event, o2.transmitted == 1, 5 * USEC_PER_SEC) && o2.result == -ENODEV,
              "/dev/null is no LIRC device: %d", o2.result);

        check(hvac_backend_new_lirc(event, &(LircConfig) { .device = (char *) "/dev/null",
                                                           .protocol = (char *) "nec" },
                                    &callbacks, &o2, &(HvacBackend *) { NULL }) == -EPROTONOSUPPORT,
              "unknown protocol");
}

/* Writes a frame as the mode2 words a receiver gives: pulses, spaces, then "end". */
static void write_mode2(int fd, const IrFrame *f, uint32_t end) {
        uint32_t words[IR_FRAME_SAMPLES_MAX + 2];
        size_t n = 0;

        words[n++] = LIRC_SPACE(500000);        /* the silence before the press */
        for (size_t i = 0; i < f->n; i++)
                words[n++] = i % 2 == 0 ? LIRC_PULSE(f->samples[i]) : LIRC_SPACE(f->samples[i]);
        words[n++] = end;
        require(write(fd, words, n * sizeof(words[0])) == (ssize_t) (n * sizeof(words[0])), "write mode2");
}

static void test_lirc_receiver(sd_event *event) {
        _cleanup_free_ char *dev = test_tmp_path("lirc-tx"), *rx = test_tmp_path("lirc-rx");
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        HvacState heat = { true, HVAC_MODE_HEAT, 27, HVAC_FAN_HIGH }, dry = { true, HVAC_MODE_DRY, 22, HVAC_FAN_LOW };
        HvacState cool = { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO };
        _cleanup_close_ int fd = -EBADF;
        Observed o = {};

        require(f, "alloc");
        require(test_write_file(dev, "") == 0, "device stand-in");
        (void) unlink(rx);
        require(mkfifo(rx, 0600) == 0, "mkfifo");
        require(hvac_backend_new_lirc(event, &(LircConfig) { .device = dev, .protocol = (char *) "gree",
                                                             .receiver = rx },
                                      &callbacks, &o, &b) == 0, "lirc backend with receiver");
        check(hvac_backend_assumed(b), "assumed until the remote is heard");
        fd = open(rx, O_WRONLY | O_CLOEXEC);
        require(fd >= 0, "open the FIFO");

        /* hvacd's own frame, heard back as a receiver beside the transmitter hears it, is no
         * press of the remote. */
        check(hvac_backend_transmit(b, &cool) == -EINPROGRESS, "send cool 24 °C");
        check(RUN_UNTIL(event, o.transmitted == 1, 5 * USEC_PER_SEC) && o.result == 0, "sent: %d", o.result);
        require(ir_encode(&ir_protocol_gree, &cool, NULL, f) == 0, "encode gree");
        write_mode2(fd, f, LIRC_TIMEOUT(125000));

        /* Another protocol's frame is not this unit's remote; noise is nothing. */
        require(ir_encode(&ir_protocol_coolix, &heat, NULL, f) == 0, "encode coolix");
        write_mode2(fd, f, LIRC_TIMEOUT(125000));
        /* The remote: heat, 27 °C, fan high; the end of the press as a timeout word. */
        require(ir_encode(&ir_protocol_gree, &heat, NULL, f) == 0, "encode gree");
        write_mode2(fd, f, LIRC_TIMEOUT(125000));
        check(RUN_UNTIL(event, o.received >= 1, 5 * USEC_PER_SEC) && o.received == 1 &&
              hvac_state_equal(&o.state, &heat) && o.has_fan && o.has_temperature,
              "heard heat 27 °C fan high, not the echo before it (%u frames)", o.received);
        check(!hvac_backend_assumed(b), "the state is known now");

        /* Dry mode (the remote sends fan 1 whatever is chosen); a receiver without timeout
         * reports ends the press with a long space. */
        require(ir_encode(&ir_protocol_gree, &dry, NULL, f) == 0, "encode gree");
        write_mode2(fd, f, LIRC_SPACE(200000));
        check(RUN_UNTIL(event, o.received >= 2, 5 * USEC_PER_SEC) && o.state.mode == HVAC_MODE_DRY &&
              o.state.target_temperature == 22 && !o.has_fan && o.has_temperature,
              "heard dry 22 °C, fan not said (%u frames)", o.received);
        check(o.transmitted == 1, "nothing more was sent");

        /* A missing receiver stops the backend from being made. */
        check(hvac_backend_new_lirc(event, &(LircConfig) { .device = dev, .protocol = (char *) "gree",
                                                           .receiver = (char *) "/nonexistent/lirc1" },
                                    &callbacks, &o, &(HvacBackend *) { NULL }) == -ENOENT, "missing receiver");
        check(hvac_backend_new_lirc(event, &(LircConfig) { .device = dev, .protocol = (char *) "gree",
                                                           .receiver = (char *) "/dev/null" },
                                    &callbacks, &o, &(HvacBackend *) { NULL }) == -ENODEV, "/dev/null receives nothing");
        (void) unlink(rx);
}

/* Sends "s" once through a new lirc backend writing to a fresh file, and reads the frame back:
 * the wall-clock time just before and just after the send in *ret_before and *ret_after. */
static void send_once(sd_event *event, const LircConfig *config, const HvacState *s, IrDecoded *ret,
                      time_t *ret_before, time_t *ret_after) {
        _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
        _cleanup_free_ char *data = NULL;
        Observed o = {};
        size_t size;

        require(test_write_file(config->device, "") == 0, "device stand-in");
        require(hvac_backend_new_lirc(event, config, &callbacks, &o, &b) == 0, "lirc backend, %s", config->protocol);
        *ret_before = time(NULL);
        check(hvac_backend_transmit(b, s) == -EINPROGRESS, "%s: sent", config->protocol);
        *ret_after = time(NULL);
        check(RUN_UNTIL(event, o.transmitted == 1, 5 * USEC_PER_SEC) && o.result == 0, "done: %d", o.result);
        require(read_full_file(config->device, 64 * 1024, &data, &size) == 0 && size > 0, "read");
        require(ir_decode(ir_protocol_find(config->protocol), (const uint32_t *) data, size / sizeof(uint32_t),
                          ret) == 0, "%s: the frame decodes", config->protocol);
}

static bool daikin_clock_is(const IrDecoded *d, time_t t) {
        struct tm tm;
        unsigned minutes;

        require(localtime_r(&t, &tm), "localtime_r");
        minutes = (unsigned) (tm.tm_hour * 60 + tm.tm_min);
        /* Minutes since midnight in 11 bits, then the day of the week, 1 Sunday … 7 Saturday. */
        return d->bytes[13] == (minutes & 0xFF) && d->bytes[14] == ((unsigned) (tm.tm_wday + 1) << 3 | minutes >> 8);
}

static bool hitachi_clock_is(const IrDecoded *d, time_t t) {
        int month = ir_option_index(&ir_protocol_hitachi, "clock_month");
        struct tm tm;

        require(month >= 0 && localtime_r(&t, &tm), "localtime_r");
        /* Month 1–12, day, hour, minute, day of the week 1 Monday … 7 Sunday. */
        return d->options[month] == (unsigned) tm.tm_mon + 1 && d->options[month + 1] == (unsigned) tm.tm_mday &&
                d->options[month + 2] == (unsigned) tm.tm_hour && d->options[month + 3] == (unsigned) tm.tm_min &&
                d->options[month + 4] == (tm.tm_wday == 0 ? 7u : (unsigned) tm.tm_wday);
}

/* lirc.clock: by default each send carries the local time of the hub's time zone as the remote's
 * clock; "fixed" sends the options' clock. */
static void test_lirc_clock(sd_event *event) {
        /* UTC, and a zone half an hour off any UTC hour (POSIX TZ strings: no zone files needed). */
        static const struct { const char *tz; long offset; } zones[] = { { "UTC0", 0 }, { "IST-5:30", 19800 } };
        _cleanup_free_ char *dev = test_tmp_path("lirc-clock");
        HvacState s = { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO };
        LircConfig daikin = { .device = dev, .protocol = (char *) "daikin" };
        LircConfig hitachi = { .device = dev, .protocol = (char *) "hitachi", .n_option_settings = 1,
                               .option_settings = { { "clock", 1 } } };
        LircConfig fixed = { .device = dev, .protocol = (char *) "daikin", .clock = (char *) "fixed",
                             .n_option_settings = 2,
                             .option_settings = { { "clock_minutes", 0x12 }, { "clock_day", 0x3F } } };
        time_t before, after;
        IrDecoded d;

        for (size_t i = 0; i < ELEMENTSOF(zones); i++) {
                time_t now = time(NULL);
                struct tm tm;

                require(setenv("TZ", zones[i].tz, 1) == 0, "TZ=%s", zones[i].tz);
                tzset();
                require(localtime_r(&now, &tm), "localtime_r");
                check(tm.tm_gmtoff == zones[i].offset, "TZ=%s is UTC%+lds (%ld)", zones[i].tz, zones[i].offset,
                      (long) tm.tm_gmtoff);

                send_once(event, &daikin, &s, &d, &before, &after);
                check(daikin_clock_is(&d, before) || daikin_clock_is(&d, after),
                      "TZ=%s: daikin's clock is the local time (bytes 13–14 %02X %02X)", zones[i].tz, d.bytes[13],
                      d.bytes[14]);
                daikin.clock = (char *) "local";
                send_once(event, &daikin, &s, &d, &before, &after);
                check(daikin_clock_is(&d, before) || daikin_clock_is(&d, after), "TZ=%s: lirc.clock 'local' too",
                      zones[i].tz);
                daikin.clock = NULL;

                send_once(event, &hitachi, &s, &d, &before, &after);
                check(hitachi_clock_is(&d, before) || hitachi_clock_is(&d, after),
                      "TZ=%s: hitachi's clock message is the local time", zones[i].tz);

                /* Pinned: the options' clock, whatever the time (no local time has minute 1810). */
                send_once(event, &fixed, &s, &d, &before, &after);
                check(d.bytes[13] == 0x12 && d.bytes[14] == 0x3F, "TZ=%s: 'fixed' sends the options' clock "
                      "(%02X %02X)", zones[i].tz, d.bytes[13], d.bytes[14]);
                /* No lirc.clock, but the clock pinned in the options (a configuration older than
                 * the key): the options' clock, as then. */
                fixed.clock = NULL;
                send_once(event, &fixed, &s, &d, &before, &after);
                check(d.bytes[13] == 0x12 && d.bytes[14] == 0x3F, "TZ=%s: a clock option without lirc.clock is "
                      "sent as set (%02X %02X)", zones[i].tz, d.bytes[13], d.bytes[14]);
                fixed.clock = (char *) "fixed";
        }
        require(unsetenv("TZ") == 0, "unset TZ");
        tzset();

        fixed.clock = (char *) "utc";
        check(hvac_backend_new_lirc(event, &fixed, &callbacks, &(Observed) {}, &(HvacBackend *) { NULL }) == -EINVAL,
              "lirc.clock 'utc' is no choice");
        (void) unlink(dev);
}

/* The echo of a frame with a clock is known whether or not the frame carries the clock:
 * Hitachi's clock fields, sent in a message of their own or not at all. */
static void test_lirc_echo_clock(sd_event *event) {
        _cleanup_free_ char *dev = test_tmp_path("lirc-tx-clock"), *rx = test_tmp_path("lirc-rx-clock");
        _cleanup_free_ IrFrame *f = malloc(sizeof(IrFrame));
        HvacState cool = { true, HVAC_MODE_COOL, 24, HVAC_FAN_AUTO };
        HvacState heat = { true, HVAC_MODE_HEAT, 27, HVAC_FAN_HIGH };

        require(f, "alloc");
        (void) unlink(rx);
        require(mkfifo(rx, 0600) == 0, "mkfifo");
        for (unsigned clock = 0; clock <= 1; clock++) {
                LircConfig config = { .device = dev, .protocol = (char *) "hitachi", .receiver = rx,
                                      .n_option_settings = 1, .option_settings = { { "clock", clock } } };
                _cleanup_(hvac_backend_freep) HvacBackend *b = NULL;
                _cleanup_free_ char *data = NULL;
                _cleanup_close_ int fd = -EBADF;
                Observed o = {};
                size_t size;

                require(test_write_file(dev, "") == 0, "device stand-in");
                require(hvac_backend_new_lirc(event, &config, &callbacks, &o, &b) == 0, "hitachi with receiver");
                fd = open(rx, O_WRONLY | O_CLOEXEC);
                require(fd >= 0, "open the FIFO");
                check(hvac_backend_transmit(b, &cool) == -EINPROGRESS, "send cool 24 °C");
                check(RUN_UNTIL(event, o.transmitted == 1, 5 * USEC_PER_SEC) && o.result == 0, "sent: %d", o.result);

                /* What went out, heard back; then the remote. */
                require(read_full_file(dev, 64 * 1024, &data, &size) == 0 && size > 0 &&
                        size <= sizeof(f->samples), "read");
                f->n = size / sizeof(uint32_t);
                memcpy(f->samples, data, size);
                write_mode2(fd, f, LIRC_TIMEOUT(125000));
                require(ir_encode(&ir_protocol_hitachi, &heat, NULL, f) == 0, "encode hitachi");
                write_mode2(fd, f, LIRC_TIMEOUT(125000));
                check(RUN_UNTIL(event, o.received >= 1, 5 * USEC_PER_SEC) && o.received == 1 &&
                      hvac_state_equal(&o.state, &heat), "clock %u: heard the remote's heat 27 °C, not the echo "
                      "before it (%u frames)", clock, o.received);
        }
        (void) unlink(rx);
        (void) unlink(dev);
}

int main(void) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;

        require(sd_event_new(&event) >= 0, "event loop");
        test_sim(event);
        test_lirc_file(event);
        test_lirc_fan_table(event);
        test_lirc_failures(event);
        test_lirc_receiver(event);
        test_lirc_clock(event);
        test_lirc_echo_clock(event);
        return test_result();
}
