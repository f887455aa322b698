#!/usr/bin/env python3
"""50 WebSocket clients (40 on the Unix socket, 10 on TCP with a token)
issue read requests, several in flight each, while another client creates
and deletes a guest in a loop: every reply matches a request it sent, none
is lost, the daemon stays up."""
import asyncio
import json
import random
import time

from apid import RW_TOKEN, Daemon, check, recv_json, reply_code, request

CLIENTS = 50
REQUESTS = 10        # per client
IN_FLIGHT = 3        # per client, sent before reading replies
CYCLES = 8           # create + delete
READS = ["listvms", "listisos", "version", "issetup"]


async def reader(d, n):
    conn = d.ws() if n < 40 else d.ws(unix=False, token=RW_TOKEN)
    async with conn as ws:
        pending = {}
        sent = 0
        while sent < REQUESTS or pending:
            while sent < REQUESTS and len(pending) < IN_FLIGHT:
                rid = f"c{n}-{sent}"
                action = READS[(n + sent) % len(READS)]
                pending[rid] = action
                await ws.send(json.dumps({"namespace": "sysadm", "name": "iohyve", "id": rid,
                                          "args": {"action": action}}))
                sent += 1
            m = await recv_json(ws, 60)
            rid = m.get("id")
            check(rid in pending, f"client {n}: reply to {rid!r}, which it did not send (or twice): {m}")
            action = pending.pop(rid)
            check(action in m["args"] and reply_code(m, action) == 200, f"client {n}: {action} -> {m}")
    return REQUESTS


async def writer(d):
    async with d.ws() as ws:
        for i in range(CYCLES):
            m = await request(ws, {"action": "create", "name": "churn", "size": "1G"}, f"create-{i}", 60)
            check(reply_code(m, "create") == 200, f"create {i}: {m}")
            m = await request(ws, {"action": "delete", "name": "churn"}, f"delete-{i}", 60)
            check(reply_code(m, "delete") == 200, f"delete {i}: {m}")
    return CYCLES


async def run(d):
    started = time.monotonic()
    results = await asyncio.wait_for(asyncio.gather(writer(d), *(reader(d, n) for n in range(CLIENTS))), 150)
    check(sum(results[1:]) == CLIENTS * REQUESTS, "replies lost")
    print(f"{CLIENTS} clients x {REQUESTS} reads and {CYCLES} create/delete cycles: every reply matched, "
          f"{time.monotonic() - started:.1f} s")


with Daemon() as d:
    asyncio.run(run(d))
    check(d.proc.poll() is None, "the daemon died")
    print("concurrency test passed")
