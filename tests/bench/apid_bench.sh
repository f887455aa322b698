#!/usr/bin/env bash
# iohyve-apid throughput, latency and memory against an emulated host:
#   tests/bench/apid_bench.sh BUILD_DIR
# (or `ninja -C BUILD_DIR bench-apid`). Starts its own daemon twice: with
# --dry-run, which measures the daemon and the library's handler (version is
# validated and planned, nothing spawned), and for real, where every version
# request spawns `iohyve version` (the emulated one) and that dominates.
# Loopback and a Unix socket only; every run is a fixed number of requests.
set -euo pipefail
build=$(cd "${1:?usage: apid_bench.sh BUILD_DIR}" && pwd)
apid=$build/examples/daemon/iohyve-apid
client=$build/tests/bench/apid_bench
fakehost=$build/tests/fakehost/fakehost
work=$(mktemp -d "${TMPDIR:-/tmp}/apid-bench.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  "$fakehost" stop "$work/host" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$fakehost" init "$work/host" --owner $$ >/dev/null
token=bench-token-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
(umask 077 && echo "$token rw" >"$work/tokens")
port=$((20000 + RANDOM % 20000))

start() {  # start [daemon options...]
  "$apid" --socket "$work/apid.sock" --listen "127.0.0.1:$port" --tokens "$work/tokens" \
    --bin-dir "$work/host/bin" --rc-conf "$work/host/rc.conf" --vmm-dir "$work/host/vmm" "$@" 2>/dev/null &
  pid=$!
  for _ in $(seq 100); do [ -S "$work/apid.sock" ] && return; sleep 0.05; done
  echo "iohyve-apid did not start" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; rm -f "$work/apid.sock"; }

echo "== iohyve-apid --dry-run (the daemon and the handler; nothing spawned)"
start --dry-run
"$client" ws --unix "$work/apid.sock" --connections 1 --requests 20000
"$client" ws --unix "$work/apid.sock" --connections 16 --requests 5000
"$client" ws --tcp "127.0.0.1:$port" --token "$token" --connections 16 --requests 5000
"$client" rest --tcp "127.0.0.1:$port" --token "$token" --connections 4 --requests 2500
"$client" rest --unix "$work/apid.sock" --connections 4 --requests 2500
"$client" idle --unix "$work/apid.sock" --connections 256 --pid "$pid"
stop

echo "== iohyve-apid (each version spawns the emulated iohyve)"
start
"$client" ws --unix "$work/apid.sock" --connections 1 --requests 500
"$client" ws --unix "$work/apid.sock" --connections 16 --requests 100
"$client" rest --tcp "127.0.0.1:$port" --token "$token" --connections 4 --requests 200
stop
