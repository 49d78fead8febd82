#!/bin/bash
# The libFuzzer target fuzz-audio-packet for a bounded time (see run-fuzzer.sh).
exec bash "$(dirname "$0")/run-fuzzer.sh" fuzz-audio-packet
