"""Shared by the iohyve-apid tests: an emulated FreeBSD host (tests/fakehost),
the daemon serving it on a Unix socket and a loopback TCP port, and small
clients (curl for REST, python3-websockets for WebSocket).

Every wait here is bounded in time; the daemon and the host are torn down
when the `with` block ends, whatever happened in it.
"""
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    import websockets
except ImportError:  # python3-websockets (tests/run.sh installs it)
    print("SKIP: python3-websockets is not installed")
    sys.exit(77)

APID = os.environ["IOHYVE_APID"]
FAKEHOST = os.environ["IOHYVE_FAKEHOST"]
GOLDEN = os.environ.get("IOHYVE_GOLDEN", "")

RW_TOKEN = "rw-token-0123456789abcdef"
RO_TOKEN = "ro-token-0123456789abcdef"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """fakehost init + iohyve-apid --socket + --listen 127.0.0.1:PORT."""

    def __init__(self, extra=(), tcp=True, tls=None, timeout=20, setup=True, env=None):
        self.extra = list(extra)
        self.env = env  # added to the daemon's environment only
        self.setup = setup
        self.timeout = timeout
        self.tcp = tcp
        self.tls = tls  # (cert, key) or None
        self.proc = None

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="iohyve-apid-test.")
        os.chmod(self.dir, 0o755)  # another uid must reach the socket
        self.host = os.path.join(self.dir, "host")
        subprocess.run([FAKEHOST, "init", self.host, "--nic", "re0", "--nic", "lo0", "--owner", str(os.getpid())],
                       check=True, stdout=subprocess.DEVNULL)
        self.media = os.path.join(self.dir, "media")
        os.mkdir(self.media)
        self.tokens = os.path.join(self.dir, "tokens")
        self.write_tokens(f"# test tokens\n{RW_TOKEN} rw\n{RO_TOKEN} ro\n")
        self.socket = os.path.join(self.dir, "apid.sock")
        self.port = free_port()
        self.log = os.path.join(self.dir, "apid.log")
        self.start()
        if self.setup:
            self.setup_host()
        return self

    def write_tokens(self, text):
        fd = os.open(self.tokens + ".new", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(self.tokens + ".new", self.tokens)

    def host_options(self):
        return ["--bin-dir", os.path.join(self.host, "bin"), "--rc-conf", os.path.join(self.host, "rc.conf"),
                "--vmm-dir", os.path.join(self.host, "vmm")]

    def argv(self):
        argv = [APID, "--socket", self.socket] + self.host_options() + ["--timeout", str(self.timeout)]
        if self.tcp:
            argv += ["--listen", f"127.0.0.1:{self.port}", "--tokens", self.tokens]
        if self.tls:
            argv += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        return argv + self.extra

    def start(self):
        self.logfile = open(self.log, "ab")
        env = dict(os.environ, **self.env) if self.env else None
        self.proc = subprocess.Popen(self.argv(), stdout=self.logfile, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                fail(f"iohyve-apid exited with {self.proc.returncode} at start:\n{self.log_text()}")
            ready = os.path.exists(self.socket)
            if ready and self.tcp:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                except OSError:
                    ready = False
            if ready:
                return
            time.sleep(0.05)
        fail("iohyve-apid did not start listening within 15 s:\n" + self.log_text())

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Sends sig and returns the exit status (fails the test after timeout s)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail(f"iohyve-apid did not exit within {timeout} s of signal {sig}")

    def __exit__(self, *exc):
        status = None
        if self.proc and self.proc.poll() is None:
            # A clean stop, checked: under ASan this is where leaks would show.
            self.proc.send_signal(signal.SIGTERM)
            try:
                status = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logfile.close()
        if exc[0] is not None or os.environ.get("IOHYVE_APID_SHOW_LOG"):
            print("--- iohyve-apid log:\n" + self.log_text(), file=sys.stderr)
        subprocess.run([FAKEHOST, "stop", self.host], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
        if exc[0] is None and status not in (None, 0):
            fail(f"iohyve-apid exited with {status} after SIGTERM at the end of the test")
        return False

    # ------------------------------------------------------------ host state

    def set_config(self, key, value):
        path = os.path.join(self.host, "state", "config")
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if not l.startswith(key + "=")]
        lines.append(f"{key}={value}")
        with open(path + ".new", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(path + ".new", path)

    def set_fault(self, tool, mode):
        path = os.path.join(self.host, "state", "faults")
        with open(path, "w") as f:
            f.write(f"{tool}\t{mode}\n" if mode else "")

    def make_media(self, name, size):
        path = os.path.join(self.media, name)
        with open(path, "wb") as f:
            f.truncate(size)
        return "file://" + path

    def setup_host(self):
        """iohyve setup on the emulated host (pool tank, re0): ISOs need it."""
        status, body = self.curl('{"action":"setup","pool":"tank","nic":"re0"}')
        check(status == 200, f"setup: {status} {body}")

    # ------------------------------------------------------------ REST

    def curl(self, body, method="PUT", path="/sysadm/iohyve", token=None, unix=True, user=None, extra=()):
        """Returns (HTTP status, body text). unix=False: TCP on loopback."""
        argv = ["curl", "-sS", "--max-time", "30", "-X", method, "-o", "-", "-w", "\n%{http_code}",
                "--data-binary", "@-", "-H", "Content-Type: application/json"] + list(extra)
        if token is not None:
            argv += ["-H", f"Authorization: Bearer {token}"]
        if unix:
            argv += ["--unix-socket", self.socket, "http://localhost" + path]
        else:
            scheme = "https" if self.tls else "http"
            argv += [f"{scheme}://127.0.0.1:{self.port}{path}"]
        if user is not None:
            argv = ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups", "--"] + argv
        out = subprocess.run(argv, input=body.encode(), capture_output=True, timeout=40)
        text = out.stdout.decode(errors="replace")
        text, _, code = text.rpartition("\n")
        return int(code or 0), text

    # ------------------------------------------------------------ WebSocket

    def ws(self, unix=True, token=None, ssl=None):
        """A websockets client connection (async context manager)."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        if unix:
            return websockets.unix_connect(self.socket, "ws://localhost/", extra_headers=headers,
                                           max_size=2 ** 21, open_timeout=10)
        scheme = "wss" if ssl else "ws"
        return websockets.connect(f"{scheme}://127.0.0.1:{self.port}/", extra_headers=headers, ssl=ssl,
                                  max_size=2 ** 21, open_timeout=10)


async def recv_json(ws, timeout=30):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def request(ws, args, rid, timeout=30):
    """Sends one sysadm/iohyve envelope; returns its reply (events in between are skipped)."""
    await ws.send(json.dumps({"namespace": "sysadm", "name": "iohyve", "id": rid, "args": args}))
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        check(left > 0, f"no reply to {rid} within {timeout} s")
        m = await recv_json(ws, left)
        if m.get("namespace") == "events":
            continue
        check(m.get("id") == rid, f"reply id {m.get('id')!r} for request {rid!r}: {m}")
        return m


def reply_code(message, action=None):
    """The error contract's code of a WebSocket reply (200 for a success)."""
    args = message.get("args", {})
    if message.get("name") == "error":
        return int(args.get("code", 0))
    inner = args.get(action) if action else None
    if isinstance(inner, dict) and "code" in inner:
        return int(inner["code"])
    return 200
