#!/usr/bin/python3
# compare-introspection.py CONTRACT.xml LIVE.xml INTERFACE
# Compares the reviewed interface XML with what a running daemon introspects as: the same
# methods (argument names, types, directions), signals (argument types) and properties
# (type, access, and the EmitsChangedSignal annotation). Prints every difference; exit 1 if any.
import sys
import xml.etree.ElementTree as ET


def describe(path, iface_name):
    root = ET.parse(path).getroot()
    for iface in root.iter('interface'):
        if iface.get('name') != iface_name:
            continue
        out = {}
        for m in iface.findall('method'):
            out['method ' + m.get('name')] = [
                (a.get('name'), a.get('type'), a.get('direction', 'in')) for a in m.findall('arg')]
        for s in iface.findall('signal'):
            out['signal ' + s.get('name')] = [(a.get('name'), a.get('type')) for a in s.findall('arg')]
        for p in iface.findall('property'):
            emits = 'true'
            for a in p.findall('annotation'):
                if a.get('name') == 'org.freedesktop.DBus.Property.EmitsChangedSignal':
                    emits = a.get('value')
            out['property ' + p.get('name')] = (p.get('type'), p.get('access'), emits)
        return out
    return None


contract = describe(sys.argv[1], sys.argv[3])
live = describe(sys.argv[2], sys.argv[3])
if contract is None:
    print(f'{sys.argv[1]}: no interface {sys.argv[3]}')
    sys.exit(1)
if live is None:
    print(f'live object has no interface {sys.argv[3]}')
    sys.exit(1)
diffs = 0
for k in sorted(set(contract) | set(live)):
    if contract.get(k) != live.get(k):
        print(f'{k}: contract {contract.get(k)} != live {live.get(k)}')
        diffs += 1
print(f'{len(contract)} members compared, {diffs} differences')
sys.exit(1 if diffs else 0)
