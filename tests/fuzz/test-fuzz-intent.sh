#!/bin/bash
# The libFuzzer target fuzz-intent for a bounded time (see run-fuzzer.sh).
exec bash "$(dirname "$0")/run-fuzzer.sh" fuzz-intent
