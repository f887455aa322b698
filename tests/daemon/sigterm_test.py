#!/usr/bin/env python3
"""SIGTERM while a fetchiso download runs: the subscriber gets the final
(finished) event, the daemon exits 0 within the bound, and no partial ISO
is left on the emulated host."""
import asyncio
import json
import subprocess
import time

from apid import Daemon, check, recv_json, reply_code, request
import os


async def run(d):
    async with d.ws() as ws:
        await ws.send(json.dumps({"namespace": "events", "name": "subscribe", "id": "s", "args": ["dispatcher"]}))
        await recv_json(ws)
        d.set_config("fetch_rate", str(1 << 20))  # 64 MiB at 1 MiB/s: still running when SIGTERM comes
        url = d.make_media("big.iso", 64 << 20)
        m = await request(ws, {"action": "fetchiso", "url": url}, "f")
        check(reply_code(m, "fetchiso") == 200, f"fetchiso: {m}")
        deadline = time.monotonic() + 20
        while True:  # a running event with some progress
            ev = await recv_json(ws, deadline - time.monotonic())
            if ev["args"]["state"] == "running" and int(ev["args"].get("percent_done") or 0) > 0:
                break
        sent = time.monotonic()
        d.proc.send_signal(15)
        final = None
        while final is None:
            ev = await recv_json(ws, 15)
            if ev.get("namespace") == "events" and ev["args"]["state"] == "finished":
                final = ev
        check(final["args"].get("percent_done") != "100", f"the cancelled download says it finished: {final}")
        status = await asyncio.get_running_loop().run_in_executor(None, lambda: d.proc.wait(timeout=20))
        took = time.monotonic() - sent
        check(status == 0, f"exit status {status} after SIGTERM")
        check(took < 15, f"exit took {took:.1f} s")
        print(f"SIGTERM during a download: final event {final['args']['state']}, exit 0 after {took:.1f} s")


with Daemon() as d:
    asyncio.run(run(d))
    # The emulated host, read without the daemon: no ISO dataset, no file.
    cli = os.environ.get("IOHYVE_CLI")
    zfs = os.path.join(d.host, "bin", "zfs")
    out = subprocess.run([zfs, "list", "-H", "-o", "name", "-t", "filesystem"], capture_output=True, text=True,
                         timeout=20)
    check(out.returncode == 0, f"zfs list: {out.stderr}")
    check("big.iso" not in out.stdout, f"a partial ISO is left: {out.stdout}")
    check(not os.path.exists(d.socket), "the socket file is left")
    print("no partial ISO left; socket removed")
