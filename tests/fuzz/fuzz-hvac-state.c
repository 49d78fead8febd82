/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvac_state_load() on arbitrary state files, under the default limits or, chosen by the first
 * byte, under odd ones (a fine grid, negative temperatures). What must hold: 0, -EBADMSG with a
 * message naming the file, or nothing else; a loaded state passes hvac_state_check(); and
 * what hvac_state_save() writes for it loads back to the same state. */

#include <errno.h>

#include "fuzz-util.h"
#include "persist.h"
#include "state.h"

static const HvacLimits limits[] = {
        { .min = 16, .max = 30, .step = 0.5 },
        { .min = -20, .max = 60, .step = 0.01 },
        { .min = 17, .max = 31, .step = 1 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[128], *problem = NULL;
        const HvacLimits *l;
        HvacState s, again;
        int r;

        if (size < 1)
                return 0;
        l = &limits[data[0] % (sizeof(limits) / sizeof(limits[0]))];
        snprintf(path, sizeof(path), "%s/state.json", fuzz_scratch_dir());
        fuzz_write_file(path, data + 1, size - 1);

        r = hvac_state_load(path, l, &s, &problem);
        fuzz_assert(r == 0 || r == -EBADMSG, "returned %d (%s)", r, problem ?: "");
        if (r < 0)
                fuzz_assert(problem && strncmp(problem, path, strlen(path)) == 0,
                            "the message names the file: %s", problem ?: "(none)");
        else {
                char *p2 = NULL;

                fuzz_assert(!problem, "success with a message: %s", problem);
                fuzz_assert(hvac_state_check(&s, l, &p2) == 0, "loaded state is valid: %s", p2 ?: "");
                fuzz_assert(hvac_state_save(path, &s) == 0, "save");
                r = hvac_state_load(path, l, &again, &p2);
                fuzz_assert(r == 0 && hvac_state_equal(&s, &again), "round trip: %d %s", r, p2 ?: "");
                free(p2);
        }
        free(problem);
        (void) unlink(path);
        return 0;
}
