#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A Daikin BRP069/BRP072A Wi-Fi adapter's local HTTP API on 127.0.0.1, for hvacd's http backend
tests and benchmark. It stands in for a unit that cannot exist here.

What it answers, as the adapters do (taken from the behaviour of pydaikin's DaikinBRP069 client,
the one Home Assistant's Daikin integration uses, and the sample answers it ships):

  GET /common/basic_info          ret=OK,type=aircon,reg=eu,…,name=%..%..,mac=…
  GET /aircon/get_control_info    ret=OK,pow=1,mode=3,adv=,stemp=24.0,shum=0,dt1=25.0,dt2=M,…
  GET /aircon/get_sensor_info     ret=OK,htemp=25.0,hhum=-,otemp=21.0,err=0,cmpfreq=40
  GET /aircon/set_control_info?pow=&mode=&stemp=&shum=&f_rate=&f_dir=

Answers are plain text "ret=OK,key=value,…" (no JSON, no trailing newline), HTTP 200 either way;
a request the unit does not take answers "ret=PARAM NG". The quirks a client must live with:

  * mode codes: 0, 1 and 7 auto, 2 dry, 3 cool, 4 heat ("hot"), 6 fan. Power is pow=0/1 on its
    own; the mode stays as it was when the unit is off.
  * f_rate: A auto, B silence, 3…7 the five fan levels; f_dir: 0 off, 1 vertical, 2 horizontal,
    3 both.
  * set_control_info takes the whole state: pow, mode, stemp, shum, f_rate and f_dir must all be
    there (pydaikin reads get_control_info first and sends every field back); a missing or
    invalid one is ret=PARAM NG and nothing changes.
  * the unit keeps a target and a humidity per mode: dt1…dt7 and dh1…dh7 (and dfr1…dfr7 for the
    fan). Switching mode with the remote brings that mode's stored values back; a set stores what
    it carries under its mode.
  * dry mode has no target temperature: stemp (and dt2) is "M". Fan mode has none either: "--",
    as shum is. A room sensor that has no reading says htemp "-" or "--".
  * targets: cool 18…32, heat 10…30, auto 18…30 °C, in 0.5 °C steps; outside that, PARAM NG.
  * the adapter serves one request at a time: connections are accepted side by side, but their
    requests are answered one after the other (a slow answer holds up the next).

For the tests, /emulator/… (not part of the adapter's API) changes it from outside:

  /emulator/remote?key=value…      the unit's own remote: any control key, or htemp
  /emulator/fault?kind=K&count=N[&delay_ms=D]   the next N API requests misbehave:
        slow     answer after delay_ms          paramng  ret=PARAM NG
        garbage  an HTML page instead           reset    half an answer, then a TCP reset
  /emulator/state                  get_control_info as it is, plus htemp
  /emulator/stats                  connections=N,requests=N

Every API request is appended to --log as "MONOTONIC_USEC CONNECTION PATH?QUERY" when it arrives
(CLOCK_MONOTONIC, comparable with the caller's clock). The unit's state lives in --state, so a
restarted emulator is the same unit that was switched off and on.
"""

import argparse
import io
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = {'0', '1', '2', '3', '4', '6', '7'}
F_RATES = {'A', 'B', '3', '4', '5', '6', '7'}
F_DIRS = {'0', '1', '2', '3'}
TARGET_RANGE = {'3': (18, 32), '4': (10, 30), '0': (18, 30), '1': (18, 30), '7': (18, 30)}
CONTROL_KEYS = ('pow', 'mode', 'stemp', 'shum', 'f_rate', 'f_dir')

DEFAULT_UNIT = {
    'pow': '0', 'mode': '3', 'stemp': '25.0', 'shum': '0', 'f_rate': 'A', 'f_dir': '0',
    'dt': {'0': '25.0', '1': '25.0', '2': 'M', '3': '25.0', '4': '22.0', '6': '--', '7': '25.0'},
    'dh': {'0': 'AUTO', '1': 'AUTO', '2': '50', '3': '0', '4': '0', '6': '--', '7': 'AUTO'},
    'dfr': {m: 'A' for m in MODES},
    'htemp': '27.0',
}


def target_ok(mode, stemp):
    if mode == '2':
        return stemp == 'M'
    if mode == '6':
        return stemp == '--'
    try:
        t = float(stemp)
    except ValueError:
        return False
    lo, hi = TARGET_RANGE[mode]
    return lo <= t <= hi and t * 2 == int(t * 2)


def shum_ok(shum):
    return shum in ('AUTO', '--') or (shum.isdigit() and 0 <= int(shum) <= 100)


class Unit:
    def __init__(self, path):
        self.path = path
        self.s = json.loads(json.dumps(DEFAULT_UNIT))
        if path and os.path.exists(path):
            with open(path) as f:
                self.s.update(json.load(f))

    def save(self):
        if self.path:
            tmp = self.path + '.tmp'
            with open(tmp, 'w') as f:
                json.dump(self.s, f)
            os.replace(tmp, self.path)

    def control_info(self):
        s = self.s
        fields = [('ret', 'OK'), ('pow', s['pow']), ('mode', s['mode']), ('adv', ''),
                  ('stemp', s['stemp']), ('shum', s['shum'])]
        # dt6/dh6 are not reported by the adapters (see pydaikin's sample answers).
        fields += [('dt' + m, s['dt'][m]) for m in '123457' if m in s['dt']]
        fields += [('dh' + m, s['dh'][m]) for m in '123457' if m in s['dh']]
        fields += [('dhh', '50'), ('b_mode', s['mode']), ('b_stemp', s['stemp']), ('b_shum', s['shum']),
                   ('alert', '255'), ('f_rate', s['f_rate']), ('f_dir', s['f_dir']),
                   ('b_f_rate', s['f_rate']), ('b_f_dir', s['f_dir'])]
        fields += [('dfr' + m, s['dfr'][m]) for m in '1234567' if m in s['dfr']]
        fields += [('dmnd_run', '0'), ('en_demand', '0')]
        return ','.join('%s=%s' % kv for kv in fields)

    def set_control(self, q):
        """set_control_info: all fields or nothing."""
        if any(k not in q for k in CONTROL_KEYS):
            return False
        if (q['pow'] not in ('0', '1') or q['mode'] not in MODES or q['f_rate'] not in F_RATES or
                q['f_dir'] not in F_DIRS or not target_ok(q['mode'], q['stemp']) or not shum_ok(q['shum'])):
            return False
        for k in CONTROL_KEYS:
            self.s[k] = q[k]
        m = q['mode']
        self.s['dt'][m], self.s['dh'][m], self.s['dfr'][m] = q['stemp'], q['shum'], q['f_rate']
        self.save()
        return True

    def remote(self, q):
        """The unit's own remote: a mode change brings that mode's stored values back."""
        if 'mode' in q:
            m = q['mode']
            self.s['mode'] = m
            self.s['stemp'] = self.s['dt'].get(m, '--')
            self.s['shum'] = self.s['dh'].get(m, '--')
            self.s['f_rate'] = self.s['dfr'].get(m, 'A')
        for k in ('pow', 'stemp', 'shum', 'f_rate', 'f_dir', 'htemp'):
            if k in q:
                self.s[k] = q[k]
        m = self.s['mode']
        self.s['dt'][m], self.s['dh'][m], self.s['dfr'][m] = self.s['stemp'], self.s['shum'], self.s['f_rate']
        self.save()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'       # keep-alive, as the adapters do
    server_version = 'lighttpd'         # what the adapters announce
    sys_version = ''

    def setup(self):
        super().setup()
        # Headers and body leave as they are written, as from the adapter's one write: Nagle's
        # algorithm against the client's delayed ACK would add 40 ms that no unit has.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.lock:
            self.server.connections += 1
            self.connection_id = self.server.connections

    def log_message(self, format, *args):
        pass

    def answer(self, text, status=200, content_type='text/plain'):
        body = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reset(self):
        """Half an answer, then RST: the adapter rebooted mid-request."""
        self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\nret=OK,pow=')
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.connection.close()
        self.wfile = io.BytesIO()
        self.close_connection = True

    def do_GET(self):
        with self.server.lock:
            self.serve()

    def serve(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path.startswith('/emulator/'):
            return self.control(url.path, q)

        srv = self.server
        srv.requests += 1
        with open(srv.log, 'a') as f:
            f.write('%d %d %s\n' % (time.monotonic_ns() // 1000, self.connection_id, self.path))

        fault = None
        if srv.fault_count > 0:
            srv.fault_count -= 1
            fault = srv.fault
        if fault == 'slow':
            time.sleep(srv.fault_delay)
        elif fault == 'reset':
            return self.reset()
        elif fault == 'garbage':
            return self.answer('<html><body><h1>500</h1>\x00\x7f</body></html>', content_type='text/html')
        elif fault == 'paramng':
            return self.answer('ret=PARAM NG')

        unit = srv.unit
        if url.path == '/common/basic_info':
            self.answer('ret=OK,type=aircon,reg=eu,dst=1,ver=1_2_54,rev=203DE8C,pow=%s,err=0,location=0,'
                        'name=%%45%%6d%%75,icon=3,method=home only,port=30050,id=,pw=,lpw_flag=0,adp_kind=3,'
                        'pv=3.20,cpv=3,mac=409F38D107AC,adp_mode=run,en_hol=0' % unit.s['pow'])
        elif url.path == '/aircon/get_control_info':
            self.answer(unit.control_info())
        elif url.path == '/aircon/get_sensor_info':
            self.answer('ret=OK,htemp=%s,hhum=-,otemp=21.0,err=0,cmpfreq=%s' %
                        (unit.s['htemp'], '40' if unit.s['pow'] == '1' else '0'))
        elif url.path == '/aircon/set_control_info':
            self.answer('ret=OK,adv=' if unit.set_control(q) else 'ret=PARAM NG')
        else:
            self.answer('ret=PARAM NG')     # what the adapters say to an unknown resource

    def control(self, path, q):
        srv = self.server
        if path == '/emulator/remote':
            srv.unit.remote(q)
            self.answer('ok')
        elif path == '/emulator/fault':
            srv.fault = q.get('kind')
            srv.fault_count = int(q.get('count', '1'))
            srv.fault_delay = int(q.get('delay_ms', '0')) / 1000.0
            self.answer('ok')
        elif path == '/emulator/state':
            self.answer(srv.unit.control_info() + ',htemp=' + srv.unit.s['htemp'])
        elif path == '/emulator/stats':
            self.answer('connections=%d,requests=%d' % (srv.connections, srv.requests))
        else:
            self.answer('unknown', status=404)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--port-file', required=True, help='written with the port once listening')
    p.add_argument('--log', required=True)
    p.add_argument('--state', help='the unit, kept across restarts')
    a = p.parse_args()

    ThreadingHTTPServer.allow_reuse_address = True
    srv = ThreadingHTTPServer(('127.0.0.1', a.port), Handler)
    srv.lock = threading.Lock()
    srv.unit = Unit(a.state)
    srv.log = a.log
    srv.connections = srv.requests = srv.fault_count = 0
    srv.fault, srv.fault_delay = None, 0.0
    tmp = a.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % srv.server_address[1])
    os.replace(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
