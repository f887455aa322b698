#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from the golden
tests (tests/golden/*: requests and the tool output each action saw), the
bad-input tests (tests/unit/bad_input_test.cpp) and the captured tool output
(tests/fixtures/). Run from anywhere; it rewrites the generated seeds only
(files named gen-*), so hand-written seeds and regression inputs stay.

Input formats (see each fuzz_<target>.cpp):
  envelope  the request message as is
  values    the text, then one selector byte (FuzzedDataProvider reads
            integers from the end): 0 guest, 1 size, 2 disk, 3 iso, 4 pool,
            5 nic, 6 url, 7 property "name\\0value"
  parsers   the tool output, then one selector byte: 0 zfs get (guests),
            1 pgrep, 2 zfs list (ISOs), 3 zfs list (disks), 4 zfs get all,
            5 iohyve version, 6 one fetch line
  handler   the request, then for each command in order 0x1e, the exit
            status digit, stdout, and 0x1f + stderr when there is any
"""
import json
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "tests" / "fuzz" / "corpus"


def write(target, name, data):
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / ("gen-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name))).write_bytes(data)


def clear_generated():
    for f in corpus.glob("*/gen-*"):
        f.unlink()


clear_generated()

# Golden requests and the tool output each one saw.
for action_dir in sorted((root / "tests" / "golden").iterdir()):
    host = json.loads((action_dir / "host.json").read_text())
    answers = b""
    for step in host["steps"]:
        answers += b"\x1e" + str(step["exit"])[-1].encode() + step["stdout"].encode()
        if step["stderr"]:
            answers += b"\x1f" + step["stderr"].encode()
    for form in ("websocket", "rest"):
        req = (action_dir / (form + ".request")).read_bytes()
        write("envelope", f"golden-{action_dir.name}-{form}", req)
        write("handler", f"golden-{action_dir.name}-{form}", req + answers)

# Bad input: the JSON literals of the bad-input test (raw strings).
bad = (root / "tests" / "unit" / "bad_input_test.cpp").read_text()
for i, lit in enumerate(re.findall(r'R"\((.*?)\)"', bad)):
    if lit.startswith("{"):
        write("envelope", f"bad-input-{i:03d}", lit)
        write("handler", f"bad-input-{i:03d}", lit)

values = {
    0: ["web", "bsdguest", "a", "w-1_x", "-web", "web;rm", "a" * 28],
    1: ["10G", "1.5T", "512M", "8589934592", "20GB", "0", "1e9", "0x10", "18446744073709551616"],
    2: ["disk0", "disk1", "disk10", "disk01", "disk"],
    3: ["FreeBSD-14.1-RELEASE-amd64-bootonly.iso", "fbsd.iso", "-x.iso", "..", "a b.iso"],
    4: ["tank", "zroot", "log", "mirror0", "9tank", "t/a"],
    5: ["em0", "re0", "vlan10", "lagg0", "0em", "em0;reboot"],
    6: ["https://download.freebsd.org/releases/ISO-IMAGES/14.1/FreeBSD-14.1-RELEASE-amd64-bootonly.iso",
        "file:///media/fbsd.iso", "ftp://user:pw@host:21/x.iso", "http://h/../x.iso", "http://h/x.iso?q",
        "http://h/%2e%2e/x.iso"],
    7: ["ram\x002G", "cpu\x002", "description\x00web server", "loader\x00grub-bhyve", "pcidev:1\x00virtio-blk,/dev/zvol/tank/iohyve/web/disk1",
        "mac_tap0\x0058:9c:fc:00:00:01", "bhyve_path\x00/tmp/x", "boot\x001", "con\x00nmdm1"],
}
for sel, texts in values.items():
    for i, t in enumerate(texts):
        write("values", f"{sel}-{i}", t.encode() + bytes([sel]))

fixtures = root / "tests" / "fixtures"
def selector_for(cmd):
    if "iohyve:name,iohyve:boot" in cmd:
        return 0
    if cmd.startswith("pgrep"):
        return 1
    if "volsize" in cmd:
        return 3
    if " all " in cmd:
        return 4
    if "-o name" in cmd:
        return 2
    if "version" in cmd:
        return 5
    if "fetch" in cmd:
        return 6
    return None

for cmd_file in sorted(fixtures.rglob("*.cmd")):
    sel = selector_for(cmd_file.read_text())
    out = cmd_file.with_suffix(".stdout")
    if sel is None or not out.exists():
        continue
    text = out.read_bytes()
    if sel == 6:  # one seed per fetch(1) record
        err = cmd_file.with_suffix(".stderr").read_bytes()
        for j, rec in enumerate(re.split(rb"[\r\n]", text + b"\n" + err)[:8]):
            if rec:
                write("parsers", f"{cmd_file.stem}-{j}", rec + bytes([sel]))
        continue
    write("parsers", cmd_file.stem, text[:4000] + bytes([sel]))
