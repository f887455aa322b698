#!/usr/bin/env python3
"""TLS on iohyve-apid's TCP listener, with a self-signed certificate made
here by the openssl CLI: curl and the WebSocket client connect with it (the
token still required); plain HTTP to the TLS port gets no answer."""
import asyncio
import os
import ssl
import subprocess
import tempfile

from apid import RW_TOKEN, Daemon, check, reply_code, request

work = tempfile.mkdtemp(prefix="iohyve-apid-tls.")
cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
               check=True, capture_output=True, timeout=60)


async def ws(d):
    ctx = ssl.create_default_context(cafile=cert)
    async with d.ws(unix=False, token=RW_TOKEN, ssl=ctx) as conn:
        m = await request(conn, {"action": "version"}, "tls-1")
        check(reply_code(m, "version") == 200 and "version" in m["args"]["version"], f"wss version: {m}")


try:
    with Daemon(tls=(cert, key)) as d:
        status, body = d.curl('{"action":"version"}', unix=False, token=RW_TOKEN, extra=["--cacert", cert])
        check(status == 200 and '"version"' in body, f"https: {status} {body}")
        status, body = d.curl('{"action":"version"}', unix=False, extra=["--cacert", cert])
        check(status == 401, f"https without a token: {status} {body}")
        out = subprocess.run(["curl", "-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}",
                              "-H", f"Authorization: Bearer {RW_TOKEN}", "--data", '{"action":"version"}',
                              f"http://127.0.0.1:{d.port}/sysadm/iohyve"], capture_output=True, text=True)
        check(out.stdout in ("000", ""), f"plain HTTP on the TLS port was answered: {out.stdout}")
        asyncio.run(ws(d))
        print("TLS: curl and wss connect with a self-signed certificate; plain HTTP gets no answer")
finally:
    for f in (cert, key):
        if os.path.exists(f):
            os.unlink(f)
    os.rmdir(work)
