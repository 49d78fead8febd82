/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The energy gate in front of the decoder: it learns the floor from the room, not from digital
 * silence; it opens on a block clearly above the floor, hands over the pre-roll, stays open for
 * its hang-over and closes; and a floor that rises for good is followed. */

#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "vad.h"

/* A block of noise with an RMS of "db" dBFS (uniform noise: rms = amplitude / sqrt(3)). */
static void noise_block(int16_t b[static VAD_BLOCK], double db, unsigned *seed) {
        double amplitude = 32768.0 * pow(10, db / 20) * sqrt(3);

        for (size_t i = 0; i < VAD_BLOCK; i++)
                b[i] = (int16_t) lround(amplitude * (2.0 * rand_r(seed) / RAND_MAX - 1));
}

static VadResult feed(Vad *v, double db, unsigned *seed) {
        int16_t b[VAD_BLOCK];

        if (db <= -200) {
                for (size_t i = 0; i < VAD_BLOCK; i++)
                        b[i] = 0;
        } else
                noise_block(b, db, seed);
        return vad_process(v, b);
}

static void test_block_level(void) {
        int16_t b[VAD_BLOCK];
        unsigned seed = 1;

        noise_block(b, -30, &seed);
        check(fabs(vad_block_db(b) + 30) < 1, "a -30 dBFS block measures %.1f dB", vad_block_db(b));
        for (size_t i = 0; i < VAD_BLOCK; i++)
                b[i] = 1000;            /* DC only */
        check(vad_block_db(b) <= -90, "DC is not loudness: %.1f dB", vad_block_db(b));
}

static void test_open_close(void) {
        _cleanup_free_ int16_t *preroll = malloc(VAD_PREROLL_BLOCKS * VAD_BLOCK * sizeof(int16_t));
        unsigned seed = 2, opened = 0, active = 0;
        Vad v;

        require(preroll, "malloc");
        vad_init(&v, 9, 100);           /* 100 ms hang-over: 5 blocks */
        check(feed(&v, -50, &seed) == VAD_OPENED, "the first sound passes: it might be speech");
        for (int i = 0; i < 5; i++)
                (void) feed(&v, -50, &seed);
        check(feed(&v, -50, &seed) == VAD_CLOSED, "and the gate closes after its hang-over");
        for (int i = 0; i < 100; i++)
                check(feed(&v, -50, &seed) == VAD_SILENT, "steady floor, block %i: gate closed", i);
        check(feed(&v, -30, &seed) == VAD_OPENED, "20 dB above the floor opens the gate");
        check(vad_take_preroll(&v, preroll) == VAD_PREROLL_BLOCKS * VAD_BLOCK, "a full pre-roll is handed over");
        for (int i = 0; i < 10; i++)
                check(feed(&v, -30, &seed) == VAD_ACTIVE, "speech keeps it open");
        for (int i = 0; i < 5; i++)
                active += feed(&v, -50, &seed) == VAD_ACTIVE;
        check(active == 5, "open for the hang-over after speech (%u of 5 blocks)", active);
        check(feed(&v, -50, &seed) == VAD_CLOSED, "closes after the hang-over");
        check(feed(&v, -50, &seed) == VAD_SILENT, "then stays closed");
        for (int i = 0; i < 10; i++)
                opened += feed(&v, -47, &seed) != VAD_SILENT;
        check(opened == 0, "3 dB above the floor is not speech (%u blocks passed)", opened);
}

/* A card that delivers exact zeros first, then a real noise floor: the floor must come from
 * the noise, not from the zeros, or the whole floor would pass as speech. */
static void test_digital_silence(void) {
        unsigned seed = 3, passed = 0;
        Vad v;

        vad_init(&v, 9, 600);
        for (int i = 0; i < 250; i++)
                check(feed(&v, -300, &seed) == VAD_SILENT, "digital silence is silent");
        for (int i = 0; i < 500; i++)
                passed += feed(&v, -45, &seed) != VAD_SILENT;
        /* The first sound passes (it might be speech) with its hang-over: 1 + 30 blocks. */
        check(passed <= 32, "a noise floor after digital silence passes the gate for %u of 500 blocks", passed);
        check(feed(&v, -25, &seed) == VAD_OPENED, "speech over that floor opens the gate");
}

/* The room gets louder for good (a fan starts): the gate closes again once the floor follows. */
static void test_rising_floor(void) {
        unsigned seed = 4, open_blocks = 0;
        Vad v;

        vad_init(&v, 9, 600);
        for (int i = 0; i < 100; i++)
                (void) feed(&v, -60, &seed);
        for (int i = 0; i < 3000; i++)          /* 60 s */
                open_blocks += feed(&v, -48, &seed) != VAD_SILENT;
        check(open_blocks > 0 && open_blocks < 1500, "a floor 12 dB higher is followed (open for %u of 3000 blocks)", open_blocks);
        check(feed(&v, -48, &seed) == VAD_SILENT, "and then passes no more");
}

int main(void) {
        test_block_level();
        test_open_close();
        test_digital_silence();
        test_rising_floor();
        return test_result();
}
