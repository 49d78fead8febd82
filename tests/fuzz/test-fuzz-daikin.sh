#!/bin/bash
# The libFuzzer target fuzz-daikin for a bounded time (see run-fuzzer.sh).
exec bash "$(dirname "$0")/run-fuzzer.sh" fuzz-daikin
