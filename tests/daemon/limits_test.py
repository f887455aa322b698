#!/usr/bin/env python3
"""Limits of iohyve-apid, each with a clear error: a REST body over 1 MiB
(413), a header over 16 KiB (431), a WebSocket message over 1 MiB (close
1009), malformed HTTP (400), more connections than --max-connections (503),
and a client that trickles its request (cut off after --request-timeout)."""
import asyncio
import json
import socket
import time

import websockets

from apid import Daemon, check, request, reply_code


def raw(d):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(d.socket)
    return s


def read_all(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data.decode(errors="replace")
        data += chunk


async def ws_too_big(d):
    async with d.ws() as ws:
        big = json.dumps({"namespace": "sysadm", "name": "iohyve", "id": 1,
                          "args": {"action": "listvms", "pad": "x" * (1 << 20)}})
        try:  # the daemon may close while the frame is still being sent
            await ws.send(big)
            await asyncio.wait_for(ws.recv(), 10)
            check(False, "a message over 1 MiB was answered")
        except websockets.ConnectionClosed as e:
            check(e.code == 1009, f"close code {e.code}, wanted 1009 (message too big)")
    async with d.ws() as ws:  # the daemon is still fine
        m = await request(ws, {"action": "version"}, 2)
        check(reply_code(m, "version") == 200, f"version after: {m}")


with Daemon(extra=["--max-connections", "6", "--request-timeout", "2"]) as d:
    status, body = d.curl(json.dumps({"action": "listvms", "pad": "x" * ((1 << 20) + 10)}))
    check(status == 413 and json.loads(body)["args"]["code"] == "413", f"big body: {status} {body}")
    status, body = d.curl('{"action":"version"}', extra=["-H", "X-Pad: " + "y" * 20000])
    check(status == 431, f"big header: {status} {body}")
    s = raw(d)
    s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    reply = read_all(s)
    check(reply.startswith("HTTP/1.1 400"), f"malformed request: {reply!r}")
    s.close()
    asyncio.run(ws_too_big(d))
    print("413 body, 431 header, 400 malformed, WebSocket 1009: ok")

    # A client that sends half a request line and stops is cut off.
    s = raw(d)
    s.sendall(b"PUT /sysadm/iohyve HTTP/1.1\r\nContent-Le")
    started = time.monotonic()
    check(read_all(s) == "", "the trickling client got an answer")
    took = time.monotonic() - started
    check(1 <= took < 6, f"cut off after {took:.1f} s, wanted about 2")
    s.close()
    print(f"a trickling client was cut off after {took:.1f} s")

    # Six idle connections fill --max-connections; the seventh gets 503.
    idle = [raw(d) for _ in range(6)]
    time.sleep(0.2)
    extra = raw(d)
    reply = read_all(extra)
    check(reply.startswith("HTTP/1.1 503") and "too many connections" in reply, f"7th connection: {reply!r}")
    for s in idle + [extra]:
        s.close()
    deadline = time.monotonic() + 5
    while d.curl('{"action":"version"}')[0] != 200:
        check(time.monotonic() < deadline, "no service after the idle connections closed")
        time.sleep(0.1)
    print("connection limit: the 7th gets 503; service resumes when they close")
    print("limits test passed")
