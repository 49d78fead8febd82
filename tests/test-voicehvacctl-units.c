/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* voicehvacctl's parts that need no bus: the argument parsers (what is refused before anything
 * is sent) and the level meter (dBFS of known signals, spans counted in frames). */

#include <math.h>

#include "ctl-args.h"
#include "harness.h"
#include "level-meter.h"

static void test_temperature(void) {
        static const struct {
                const char *text;
                double value;
        } good[] = {
                { "24", 24 }, { "22.5", 22.5 }, { "0", 0 }, { "-5", -5 }, { "24C", 24 }, { "24°C", 24 }, { "1e1", 10 },
        };
        static const char *const bad[] = {
                "", "abc", "24x", "nan", "NaN", "inf", "-inf", "infinity", "0x18", " 24", "24 ", "24.5.1", "1e999", "24F",
        };
        double d;

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                check(parse_temperature(good[i].text, &d) == 0 && d == good[i].value, "'%s' is %g °C", good[i].text,
                      good[i].value);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                check(parse_temperature(bad[i], &d) == -EINVAL, "'%s' is refused", bad[i]);
}

static void test_words(void) {
        check(streq_ptr(parse_mode("cool"), "cool") && streq_ptr(parse_mode("fan_only"), "fan_only") &&
              streq_ptr(parse_mode("fan-only"), "fan_only") && streq_ptr(parse_mode("auto"), "auto"), "modes");
        check(!parse_mode("warm") && !parse_mode("Cool") && !parse_mode("") && !parse_mode("fan"), "not modes");
        check(streq_ptr(parse_fan_speed("high"), "high") && streq_ptr(parse_fan_speed("auto"), "auto"), "fan speeds");
        check(!parse_fan_speed("turbo") && !parse_fan_speed("cool"), "not fan speeds");
        check(parse_on_off("on") == 1 && parse_on_off("yes") == 1 && parse_on_off("1") == 1, "on");
        check(parse_on_off("off") == 0 && parse_on_off("false") == 0 && parse_on_off("0") == 0, "off");
        check(parse_on_off("maybe") == -EINVAL && parse_on_off("") == -EINVAL && parse_on_off("ON") == -EINVAL, "neither");
}

static bool near(double a, double b) {
        return fabs(a - b) < 0.05;
}

static void test_meter(void) {
        int16_t buf[1600];
        LevelMeter lm;
        LevelReading lr = {};
        bool done;

        /* A 1 kHz sine at half scale, 16 kHz, 100 ms spans: RMS -9.03, peak -6.02 dBFS. */
        for (size_t k = 0; k < ELEMENTSOF(buf); k++)
                buf[k] = (int16_t) lround(16384.0 * sin(2 * M_PI * 1000.0 * (double) k / 16000.0));
        level_meter_init(&lm, 1600);
        check(!level_meter_add(&lm, buf, 800, 1, &lr), "half a span is no reading");
        done = level_meter_add(&lm, buf + 800, 800, 1, &lr);
        check(done && near(lr.rms_dbfs, -9.03) && near(lr.peak_dbfs, -6.02) && lr.frames == 1600,
              "sine: %s rms %.2f peak %.2f frames %llu", done ? "done" : "not done", lr.rms_dbfs, lr.peak_dbfs,
              (unsigned long long) lr.frames);

        /* Full-scale square, the most negative sample included: 0 dBFS both. */
        for (size_t k = 0; k < ELEMENTSOF(buf); k++)
                buf[k] = (k / 8) % 2 ? INT16_MIN : INT16_MAX;
        level_meter_init(&lm, 1600);
        check(level_meter_add(&lm, buf, 1600, 1, &lr) && near(lr.rms_dbfs, 0) && near(lr.peak_dbfs, 0),
              "square: rms %.2f peak %.2f", lr.rms_dbfs, lr.peak_dbfs);

        /* Silence reads the floor, not -inf. */
        memset(buf, 0, sizeof buf);
        level_meter_init(&lm, 1600);
        check(level_meter_add(&lm, buf, 1600, 1, &lr) && lr.rms_dbfs == LEVEL_FLOOR_DBFS &&
              lr.peak_dbfs == LEVEL_FLOOR_DBFS, "silence: %g", lr.rms_dbfs);

        /* Stereo: a span counts frames, each of two samples. */
        level_meter_init(&lm, 400);
        check(!level_meter_add(&lm, buf, 399, 2, &lr) && level_meter_add(&lm, buf, 1, 2, &lr) && lr.frames == 400,
              "stereo span of 400 frames");

        /* Frames beyond a span start the next one; a reset forgets a partial span. */
        level_meter_init(&lm, 1000);
        check(level_meter_add(&lm, buf, 1500, 1, &lr) && lm.frames == 500, "500 frames carried over");
        level_meter_reset(&lm);
        check(lm.frames == 0 && lm.span_frames == 1000, "reset keeps the span");
}

static void test_bar(void) {
        char bar[11];

        level_bar(0, bar, 10);
        check(streq(bar, "##########"), "0 dBFS fills the bar: %s", bar);
        level_bar(-30, bar, 10);
        check(streq(bar, "#####-----"), "-30 dBFS half: %s", bar);
        level_bar(-100, bar, 10);
        check(streq(bar, "----------"), "silence empty: %s", bar);
        level_bar(6, bar, 10);
        check(streq(bar, "##########"), "over full scale clamps: %s", bar);
}

int main(void) {
        test_temperature();
        test_words();
        test_meter();
        test_bar();
        return test_result();
}
