#!/bin/bash
# The libFuzzer target fuzz-hvac-state for a bounded time (see run-fuzzer.sh).
exec bash "$(dirname "$0")/run-fuzzer.sh" fuzz-hvac-state
