#!/usr/bin/env python3
"""Every request example of the API document (tests/golden/<action>/
rest.request and websocket.request), sent to iohyve-apid: REST with curl over
its Unix socket, WebSocket with python3-websockets, in examples/demo.sh's
order against a fresh emulated host. Each reply must carry the expected code
(as HTTP status for REST) and the action's answer; WebSocket replies echo the
request id."""
import asyncio
import json
import os
import time

from apid import Daemon, check, recv_json, reply_code, GOLDEN

DOC_URL = "ftp://ftp.freebsd.org/pub/FreeBSD/releases/amd64/amd64/ISO-IMAGES/10.1/"

# (action, form, expected code), as examples/demo.sh.
STEPS = [
    ("setup", "rest", 200), ("setup", "websocket", 200), ("issetup", "rest", 200), ("issetup", "websocket", 200),
    ("version", "rest", 200), ("version", "websocket", 200),
    ("fetchiso", "rest", 200), ("fetchiso", "websocket", 409),
    "prepare",
    ("listisos", "rest", 200), ("listisos", "websocket", 200), ("renameiso", "rest", 200),
    ("renameiso", "websocket", 404),
    ("create", "rest", 200), ("create", "websocket", 409), ("getprops", "rest", 200), ("getprops", "websocket", 200),
    ("setprop", "rest", 200), ("setprop", "websocket", 200), ("listvms", "rest", 200), ("listvms", "websocket", 200),
    ("adddisk", "rest", 200), ("adddisk", "websocket", 200), ("listdisks", "rest", 200),
    ("listdisks", "websocket", 200), ("resizedisk", "rest", 200), ("resizedisk", "websocket", 400),
    ("install", "rest", 200), ("start", "rest", 409), ("stop", "rest", 200), ("start", "websocket", 200),
    ("install", "websocket", 409), ("stop", "websocket", 200),
    ("deletedisk", "rest", 200), ("deletedisk", "websocket", 404), ("delete", "rest", 200),
    ("delete", "websocket", 404), ("rmiso", "rest", 200), ("rmiso", "websocket", 404),
]


def request_text(d, action, form):
    with open(os.path.join(GOLDEN, action, form + ".request")) as f:
        text = f.read()
    return text.replace(DOC_URL, "file://" + d.media + "/")


def wait_for_iso(d, name):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status, body = d.curl('{"action":"listisos"}')
        if status == 200 and name in json.loads(body)["args"]["listisos"]:
            return
        time.sleep(0.1)
    check(False, f"{name} was not fetched within 20 s")


async def run(d):
    async with d.ws() as ws:
        done = 0
        for step in STEPS:
            if step == "prepare":
                for iso in ("test.iso", "FreeBSD-10.2-RELEASE-amd64-disc1.iso",
                            "FreeBSD-10.2-RELEASE-amd64-bootonly.iso"):
                    status, body = d.curl(json.dumps({"action": "fetchiso", "url": "file://" + d.media + "/" + iso}))
                    check(status == 200, f"fetchiso {iso}: {status} {body}")
                    wait_for_iso(d, iso)
                continue
            action, form, expected = step
            text = request_text(d, action, form)
            if form == "rest":
                request_line, _, body = text.partition("\n")
                method, path = request_line.split()[:2]
                status, reply = d.curl(body, method=method, path=path)
                check(status == expected, f"{action} REST: HTTP {status}, wanted {expected}: {reply}")
                args = json.loads(reply)["args"]
                check(action in args, f"{action} REST: no '{action}' in {reply}")
                if expected != 200:
                    check(args[action].get("code") == str(expected), f"{action} REST: code in body: {reply}")
                if action == "fetchiso" and expected == 200:
                    wait_for_iso(d, "FreeBSD-10.1-RELEASE-amd64-disc1.iso")
            else:
                await ws.send(text)
                reply = await recv_json(ws)
                while reply.get("namespace") == "events":  # not subscribed: there must be none
                    check(False, f"an event reached a connection that did not subscribe: {reply}")
                code = reply_code(reply, action)
                check(code == expected, f"{action} WebSocket: code {code}, wanted {expected}: {reply}")
                check(reply.get("id") == json.loads(text).get("id"), f"{action} WebSocket: id not echoed: {reply}")
                check(action in reply["args"], f"{action} WebSocket: no '{action}' in {reply}")
            done += 1
            print(f"ok {done} {action} {form} {expected}")
        check(done == 38, f"{done} examples, not 38")


with Daemon(setup=False) as d:  # setup is the first example
    for iso in ("FreeBSD-10.1-RELEASE-amd64-disc1.iso", "test.iso", "FreeBSD-10.2-RELEASE-amd64-disc1.iso",
                "FreeBSD-10.2-RELEASE-amd64-bootonly.iso"):
        d.make_media(iso, 1 << 20)
    asyncio.run(run(d))
    # One line per request in the log, and no token in it.
    log = d.log_text()
    check(log.count("action=") >= 38, "fewer log lines than requests")
    print("38 document examples answered as documented")
