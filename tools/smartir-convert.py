#!/usr/bin/env python3
# smartir-convert.py SMARTIR_CLIMATE_JSON... — converts SmartIR climate code files (Broadlink
# base64) to the capture files in tests/ir-captures/: each code as the text `ir-ctl -r` prints
# ("+pulse -space …", µs), after a "# label" line with the code's mode, fan and temperature.
#
# Broadlink's IR format: 0x26, a repeat count, a 16-bit little-endian length, then durations in
# ticks of 269/8192 ms, pulse first; a zero byte introduces a two-byte big-endian tick count.
# The long space that ends the recording is left out, as ir-ctl does.
#
#   --temperatures 16,24,30   keep only these temperatures (and the lowest and highest)
#   --max-codes N             keep at most N codes, every k-th one (the first, "off", always)
#   --source PATH             the path to name in the header (default: the argument)
import argparse, base64, json, os, sys

TICK_US = 269 * 1000 / 8192

def broadlink_to_samples(b64):
    data = base64.b64decode(b64)
    if len(data) < 4 or data[0] != 0x26:
        raise ValueError("not a Broadlink IR code")
    length = data[2] | data[3] << 8
    body = data[4:4 + length]
    samples, i = [], 0
    while i < len(body):
        v = body[i]; i += 1
        if v == 0:
            if i + 2 > len(body):
                break
            v = body[i] << 8 | body[i + 1]; i += 2
            if v == 0:
                break
        samples.append(round(v * TICK_US))
    # Trailing padding and the final silence are not part of the signal.
    while samples and len(samples) % 2 == 0:
        samples.pop()
    return samples, data[1]

MODES = {"heat_cool": "auto", "fan": "fan_only"}
FANS = {"mid": "medium", "middle": "medium", "med": "medium"}

def fan_word(fan, fans):
    """SmartIR's fan mode as the climate model says it; a name is kept where the file has the
    word it would become among its own (ARC433B51: "medium" and "middle" are two speeds)."""
    fan = fan.lower()
    return fan if FANS.get(fan) in fans else FANS.get(fan, fan)

def walk(node, path):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + [k])
    elif isinstance(node, str) and node:
        yield path, node

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--temperatures", default="")
    ap.add_argument("--source", default=None)
    ap.add_argument("--max-codes", type=int, default=0)
    ap.add_argument("--output", required=True)
    ap.add_argument("json")
    a = ap.parse_args()
    with open(a.json) as f:
        d = json.load(f)
    fans = {f.lower() for f in d.get("fanModes", [])}
    keep = {float(t) for t in a.temperatures.split(",") if t}
    if keep:
        keep |= {float(d["minTemperature"]), float(d["maxTemperature"])}
    out = open(a.output, "w")
    src = a.source or a.json
    out.write("# %s: %s, %s\n" % (src, d.get("manufacturer"), ", ".join(d.get("supportedModels", []))))
    out.write("# SmartIR (github.com/smartHomeHub/SmartIR), MIT licence; converted from Broadlink base64.\n")
    n = 0
    codes = []
    for path, code in walk(d["commands"], []):
        if path == ["off"]:
            label = "off"
        elif len(path) == 3:
            mode, fan, temp = path
            if keep and temp.replace(".", "").isdigit() and float(temp) not in keep:
                continue
            label = "%s %s %s" % (MODES.get(mode, mode), fan_word(fan, fans), temp)
        elif len(path) == 2 and path[0] == "fan_only":
            label = "fan_only %s -" % fan_word(path[1], fans)
        else:
            if len(path) >= 2:
                path = [MODES.get(path[0], path[0]), fan_word(path[1], fans)] + path[2:]
            label = " ".join(path)
            if keep and path[-1].replace(".", "").isdigit() and float(path[-1]) not in keep:
                continue
        try:
            samples, repeat = broadlink_to_samples(code)
        except Exception as e:
            print("%s: %s: %s" % (a.json, label, e), file=sys.stderr)
            continue
        codes.append((label, samples))
    if a.max_codes and len(codes) > a.max_codes:
        stride = -(-len(codes) // a.max_codes)
        codes = [c for i, c in enumerate(codes) if i % stride == 0 or c[0] == "off"]
    for label, samples in codes:
        out.write("# label %s\n" % label)
        out.write(" ".join(("+%d" if i % 2 == 0 else "-%d") % s for i, s in enumerate(samples)) + "\n")
        n += 1
    print("%s: %d codes" % (a.output, n), file=sys.stderr)

main()
