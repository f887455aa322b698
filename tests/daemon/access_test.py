#!/usr/bin/env python3
"""Access control of iohyve-apid: tokens on TCP (none, wrong, read-only doing
a change, three failures close the connection, WebSocket first-message
auth, SIGHUP reload), Unix socket peers by credentials (another uid in
neither group is refused; in the read-only group it may only read), and
start-up refusals (a non-loopback address without TLS, a token file others
may read). Nothing refused may run."""
import asyncio
import grp
import json
import os
import signal
import subprocess
import time

import websockets

from apid import APID, RO_TOKEN, RW_TOKEN, Daemon, check, recv_json, reply_code, request


def guests(d):
    status, body = d.curl('{"action":"listvms"}')
    check(status == 200, f"listvms: {status} {body}")
    return set(json.loads(body)["args"]["listvms"])


def tcp_tokens(d):
    create = '{"action":"create","name":"web","size":"1G"}'
    status, body = d.curl(create, unix=False)
    check(status == 401 and json.loads(body)["args"]["code"] == "401", f"no token: {status} {body}")
    status, body = d.curl(create, unix=False, token="wrong-token-0123456789")
    check(status == 401, f"wrong token: {status} {body}")
    status, body = d.curl(create, unix=False, token=RO_TOKEN)
    check(status == 403, f"read-only token doing create: {status} {body}")
    check("web" not in guests(d), "a refused create ran")
    status, body = d.curl('{"action":"listvms"}', unix=False, token=RO_TOKEN)
    check(status == 200, f"read-only token reading: {status} {body}")
    status, body = d.curl(create, unix=False, token=RW_TOKEN)
    check(status == 200 and "web" in guests(d), f"read-write token: {status} {body}")
    # Three failures on one keep-alive connection: 401, 401, then 403 and closed.
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20"] +
        sum([["-w", "%{http_code}\n", "-o", "/dev/null", "-X", "PUT", "-H", "Authorization: Bearer bad-token-0123456789", "--data", "{}",
              f"http://127.0.0.1:{d.port}/sysadm/iohyve"] + (["--next"] if i < 2 else []) for i in range(3)], []),
        capture_output=True, text=True, timeout=30)
    check(out.stdout.split() == ["401", "401", "403"], f"failures on one connection: {out.stdout!r} {out.stderr}")
    check(RW_TOKEN not in d.log_text() and RO_TOKEN not in d.log_text(), "a token is in the log")
    print("TCP: no token 401, wrong 401, read-only create 403 (nothing ran), rw 200, 3rd failure 403")


async def ws_auth(d):
    async with d.ws(unix=False) as ws:
        m = await request(ws, {"action": "listvms"}, "before")
        check(reply_code(m) == 401, f"request before auth: {m}")
        await ws.send(json.dumps({"namespace": "rpc", "name": "auth_token", "id": "a1",
                                  "args": {"token": "wrong-token-0123456789"}}))
        m = await recv_json(ws)
        check(m["name"] == "error" and m["args"]["code"] == "401" and m["id"] == "a1", f"wrong token: {m}")
        await ws.send(json.dumps({"namespace": "rpc", "name": "auth_token", "id": "a2", "args": {"token": RO_TOKEN}}))
        m = await recv_json(ws)
        check(m["name"] == "response" and m["namespace"] == "rpc" and m["args"][0] == RO_TOKEN, f"auth: {m}")
        m = await request(ws, {"action": "delete", "name": "web"}, "ro-delete")
        check(reply_code(m) == 403, f"read-only delete over WebSocket: {m}")
        m = await request(ws, {"action": "listvms"}, "ro-list")
        check("web" in m["args"]["listvms"], f"read-only listvms: {m}")
    async with d.ws(unix=False) as ws:
        for i in range(3):
            await ws.send(json.dumps({"namespace": "rpc", "name": "auth_token", "id": i, "args": {"token": "x"}}))
            m = await recv_json(ws)
            check(m["args"]["code"] == ("403" if i == 2 else "401"), f"failure {i}: {m}")
        try:
            await asyncio.wait_for(ws.recv(), 5)
            check(False, "the connection stayed open after 3 failures")
        except websockets.ConnectionClosed:
            pass
    async with d.ws(unix=False, token=RW_TOKEN) as ws:  # Authorization on the upgrade
        m = await request(ws, {"action": "listvms"}, 1)
        check(reply_code(m) == 200, f"upgrade with a bearer token: {m}")
    try:
        async with d.ws(unix=False, token="wrong-token-0123456789") as ws:
            check(False, "an upgrade with a wrong token was accepted")
    except websockets.InvalidStatusCode as e:
        check(e.status_code == 401, f"upgrade with a wrong token: {e.status_code}")
    print("WebSocket: 401 before auth and for a wrong token, ro token 403 on delete, 3 failures close, header auth")


def sighup_reload(d):
    new = "new-token-0123456789abcdef"
    d.write_tokens(f"{new} rw\n")
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "tokens reloaded" not in d.log_text():
        check(time.monotonic() < deadline, "no reload after SIGHUP")
        time.sleep(0.05)
    check(d.curl('{"action":"version"}', unix=False, token=new)[0] == 200, "the new token is refused")
    check(d.curl('{"action":"version"}', unix=False, token=RW_TOKEN)[0] == 401, "the old token still works")
    print("SIGHUP: tokens reloaded")


def unix_peers(d):
    if os.geteuid() != 0:
        print("SKIP unix peer credentials: needs root to run a client as another uid")
        return
    create = '{"action":"create","name":"other","size":"1G"}'
    status, body = d.curl(create, user=(65534, 65534))  # nobody/nogroup: neither group
    check(status == 403, f"a peer in neither group: {status} {body}")
    check(status == 403 and "neither root nor" in body, f"refusal detail: {body}")
    try:
        operator = grp.getgrnam("operator").gr_gid
    except KeyError:
        print("SKIP read-only Unix peer: no group 'operator' on this machine")
        operator = None
    if operator is not None:
        status, body = d.curl(create, user=(65534, operator))
        check(status == 403, f"an operator-group peer doing create: {status} {body}")
        status, body = d.curl('{"action":"listvms"}', user=(65534, operator))
        check(status == 200, f"an operator-group peer reading: {status} {body}")
    check("other" not in guests(d), "a refused create ran")
    print("Unix socket: uid 65534 in neither group 403, operator group read-only")


def startup_refusals(d):
    def start(argv):
        return subprocess.run([APID] + argv, capture_output=True, text=True, timeout=20)
    sock = os.path.join(d.dir, "other.sock")
    out = start(["--listen", "0.0.0.0:1", "--tokens", d.tokens, "--socket", sock])
    check(out.returncode == 2 and "without TLS" in out.stderr, f"non-loopback without TLS: {out}")
    os.chmod(d.tokens, 0o640)
    out = start(["--listen", "127.0.0.1:1", "--tokens", d.tokens])
    check(out.returncode == 2 and "group or others" in out.stderr, f"token file mode 640: {out}")
    os.chmod(d.tokens, 0o600)
    out = start(["--listen", "127.0.0.1:1"])
    check(out.returncode == 2 and "--tokens" in out.stderr, f"TCP without tokens: {out}")
    print("start-up: non-loopback without TLS, a token file others may read, TCP without tokens: refused (exit 2)")


with Daemon() as d:
    tcp_tokens(d)
    asyncio.run(ws_auth(d))
    unix_peers(d)
    sighup_reload(d)
    startup_refusals(d)
    print("access test passed")
