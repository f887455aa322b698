#!/usr/bin/env python3
"""WebSocket specifics of iohyve-apid: events/subscribe ["dispatcher"] in the
reference's shape, fetchiso progress events (running with a percentage, then
finished) reaching the subscriber only, unsubscribe, and requests on one
connection answered as they finish (a hung start does not hold up a later
listvms)."""
import asyncio
import json
import time

from apid import Daemon, check, recv_json, reply_code, request


async def expect_silence(ws, seconds, why):
    try:
        m = await asyncio.wait_for(ws.recv(), seconds)
    except asyncio.TimeoutError:
        return
    check(False, f"{why}: got {m}")


async def subscribe_and_fetch(d):
    async with d.ws() as sub, d.ws() as other:
        await sub.send(json.dumps({"namespace": "events", "name": "subscribe", "id": "sub-1", "args": ["dispatcher"]}))
        m = await recv_json(sub)
        check(m == {"args": {"subscribe": "dispatcher"}, "id": "sub-1", "name": "response", "namespace": "events"},
              f"subscribe reply: {m}")
        await sub.send(json.dumps({"namespace": "events", "name": "subscribe", "id": "sub-2", "args": ["bogus"]}))
        m = await recv_json(sub)
        check(m["name"] == "error" and m["args"]["code"] == "400" and m["id"] == "sub-2", f"bad event name: {m}")

        # 8 MiB at 2 MiB/s: about four seconds of progress.
        d.set_config("fetch_rate", str(2 << 20))
        url = d.make_media("slow.iso", 8 << 20)
        m = await request(sub, {"action": "fetchiso", "url": url}, "fetch-1")
        check(reply_code(m, "fetchiso") == 200, f"fetchiso: {m}")
        queue_id = m["args"]["fetchiso"]["queueid"]

        running, finished = [], None
        deadline = time.monotonic() + 30
        while finished is None:
            check(time.monotonic() < deadline, "no finished event within 30 s")
            ev = await recv_json(sub, deadline - time.monotonic())
            check(ev["namespace"] == "events" and ev["name"] == "dispatcher", f"not an event: {ev}")
            args = ev["args"]
            check(args["event_system"] == "sysadm/iohyve", f"event_system: {ev}")
            check(args["process_details"]["process_id"] == queue_id, f"process_id: {ev}")
            if args["state"] == "running":
                running.append(int(args["percent_done"]))
            elif args["state"] == "finished":
                finished = args
        check(any(0 < p < 100 for p in running), f"no running event with a percentage between 0 and 100: {running}")
        check(running == sorted(running), f"percentages go backwards: {running}")
        check(finished["percent_done"] == "100", f"finished event: {finished}")
        print(f"subscriber: {len(running)} running events {running}, then finished")

        # The connection that did not subscribe got nothing, and still works.
        await expect_silence(other, 0.3, "an event reached a connection that did not subscribe")
        m = await request(other, {"action": "listisos"}, 7)
        check("slow.iso" in m["args"]["listisos"] and m["id"] == 7, f"listisos: {m}")

        # After unsubscribe: no more events.
        await sub.send(json.dumps({"namespace": "events", "name": "unsubscribe", "id": "u", "args": "dispatcher"}))
        m = await recv_json(sub)
        check(m["args"] == {"unsubscribe": "dispatcher"} and m["id"] == "u", f"unsubscribe: {m}")
        url = d.make_media("second.iso", 1 << 20)
        d.set_config("fetch_rate", "0")
        m = await request(sub, {"action": "fetchiso", "url": url}, "fetch-2")
        check(reply_code(m, "fetchiso") == 200, f"fetchiso: {m}")
        await expect_silence(sub, 1.5, "an event after unsubscribe")
        print("non-subscriber and unsubscribed connections received no event")


async def hung_start_does_not_block(d):
    async with d.ws() as ws:
        m = await request(ws, {"action": "create", "name": "slow", "size": "1G"}, "c")
        check(reply_code(m, "create") == 200, f"create: {m}")
        d.set_fault("iohyve", "hang")  # iohyve start now hangs until the daemon's --timeout (3 s)
        started = time.monotonic()
        await ws.send(json.dumps({"namespace": "sysadm", "name": "iohyve", "id": "start-1",
                                  "args": {"action": "start", "name": "slow"}}))
        await ws.send(json.dumps({"namespace": "sysadm", "name": "iohyve", "id": "list-1",
                                  "args": {"action": "listvms"}}))
        first = await recv_json(ws, 10)
        # The start cannot answer before its 3 s timeout: listvms first means it did not wait.
        check(first["id"] == "list-1", f"the first reply is not listvms': {first}")
        check("slow" in first["args"]["listvms"], f"listvms: {first}")
        second = await recv_json(ws, 20)
        check(time.monotonic() - started >= 2.5, "the hung start answered before its timeout")
        check(second["id"] == "start-1" and reply_code(second, "start") == 504, f"the hung start: {second}")
        d.set_fault("iohyve", "")
        print("a hung start (504 after 3 s) did not hold up listvms sent after it on the same connection")


with Daemon(timeout=3) as d:
    asyncio.run(subscribe_and_fetch(d))
    asyncio.run(hung_start_does_not_block(d))
    print("events test passed")
