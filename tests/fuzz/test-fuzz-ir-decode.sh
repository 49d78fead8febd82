#!/bin/bash
# The libFuzzer target fuzz-ir-decode for a bounded time (see run-fuzzer.sh).
exec bash "$(dirname "$0")/run-fuzzer.sh" fuzz-ir-decode
