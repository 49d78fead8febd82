#!/bin/bash
# The libFuzzer target fuzz-config for a bounded time (see run-fuzzer.sh).
exec bash "$(dirname "$0")/run-fuzzer.sh" fuzz-config
