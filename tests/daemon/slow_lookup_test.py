#!/usr/bin/env python3
"""A Unix socket peer whose group lookup is slow (an LDAP or NIS name
service) does not hold up other connections: the lookup runs on a worker,
not on the I/O thread. getpwuid_r is made to take 3 s for uid 65534 by a
preloaded library (slow_lookup.cpp); meanwhile a TCP request and a root
Unix request (root needs no lookup) are answered at once, and the slow
peer, in neither group, still gets 403 and nothing it asked for runs."""
import json
import os
import subprocess
import sys
import time

from apid import RW_TOKEN, Daemon, check

SLOW_UID = 65534
DELAY_S = 3.0

if os.geteuid() != 0:
    print("SKIP: needs root to run a client as another uid")
    sys.exit(77)
shim = os.environ.get("IOHYVE_TEST_SLOW_LOOKUP_LIB", "")
if not os.path.exists(shim):
    print(f"SKIP: the slow lookup library is not built ({shim!r})")
    sys.exit(77)

env = {
    "LD_PRELOAD": shim,
    "IOHYVE_TEST_SLOW_LOOKUP_UID": str(SLOW_UID),
    "IOHYVE_TEST_SLOW_LOOKUP_MS": str(int(DELAY_S * 1000)),
    # g++'s -fsanitize=address loads libasan dynamically and wants it first
    # in the preload order; clang's runtime is linked in and does not care.
    "ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0"])),
}
with Daemon(extra=["--io-threads", "1"], env=env) as d:
    create = '{"action":"create","name":"slow","size":"1G"}'
    argv = ["setpriv", f"--reuid={SLOW_UID}", f"--regid={SLOW_UID}", "--clear-groups", "--",
            "curl", "-sS", "--max-time", "30", "-X", "PUT", "-o", "-", "-w", "\n%{http_code}",
            "--data-binary", create, "--unix-socket", d.socket, "http://localhost/sysadm/iohyve"]
    started = time.monotonic()
    slow = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)  # connected, its lookup under way
    check(slow.poll() is None, "the slow peer was answered before its lookup could end")

    t = time.monotonic()
    status, body = d.curl('{"action":"version"}', unix=False, token=RW_TOKEN)
    tcp_s = time.monotonic() - t
    check(status == 200, f"TCP request during the slow lookup: {status} {body}")
    t = time.monotonic()
    status, body = d.curl('{"action":"listvms"}')
    unix_s = time.monotonic() - t
    check(status == 200, f"root Unix request during the slow lookup: {status} {body}")
    waited = time.monotonic() - started
    check(waited < DELAY_S - 0.5,
          f"the other requests took until {waited:.2f} s: held up by the {DELAY_S} s lookup "
          f"(TCP {tcp_s:.2f} s, Unix {unix_s:.2f} s)")

    out, err = slow.communicate(timeout=40)
    slow_s = time.monotonic() - started
    text, _, code = out.decode(errors="replace").rpartition("\n")
    check(code == "403" and "neither root nor" in text, f"the slow peer: {code} {text} {err!r}")
    # Proof that the lookup was slow indeed (the library was preloaded).
    check(slow_s >= DELAY_S - 0.1, f"the slow peer was answered after {slow_s:.2f} s, before its lookup could end")
    status, body = d.curl('{"action":"listvms"}')
    check("slow" not in json.loads(body)["args"]["listvms"], "the slow peer's refused create ran")
    print(f"slow lookup ({DELAY_S} s): TCP answered in {tcp_s:.2f} s, root Unix in {unix_s:.2f} s; "
          f"the slow peer got 403 after {slow_s:.2f} s, nothing ran")
    print("slow lookup test passed")
