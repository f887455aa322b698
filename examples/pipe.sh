#!/usr/bin/env bash
# What a sysadmin would write around iohyve-api: create a guest, give it RAM
# and CPUs, add a disk, start it and list it, stopping at the first error.
#
#   examples/pipe.sh                       # the real host: /usr/local/bin/iohyve-api
#                                          # (or iohyve-api on PATH) and the real tools
#   examples/pipe.sh -- --timeout 120      # the same, with more CLI options
#   IOHYVE_API="iohyve-api --bin-dir DIR/bin --rc-conf DIR/rc.conf --vmm-dir DIR/vmm" examples/pipe.sh
#   examples/pipe.sh --emulated            # against a fresh emulated FreeBSD host (as demo.sh),
#                                          # set up first (pool tank, em0), removed at the end
#
# The guest: GUEST=web SIZE=10G RAM=2G CPUS=2 DISK=20G (environment, these
# are the defaults). Uses jq when it is there (installing it with apt-get if
# it can; JQ=PATH picks one, JQ= none), else grep and printf.
# shellcheck disable=SC2016  # $name in single quotes: jq's variables, not the shell's
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=examples/lib.sh
. "$here/lib.sh"

guest=${GUEST:-web}
size=${SIZE:-10G}
ram=${RAM:-2G}
cpus=${CPUS:-2}
disk=${DISK:-20G}

usage() {
  echo "usage: $0 [--emulated] [-- IOHYVE-API-OPTIONS...]" >&2
  exit 2
}

emulated=false
extra=()
while (($#)); do
  case $1 in
    --emulated) emulated=true ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
  shift
done

# Values go into JSON as they are when there is no jq: only simple ones.
[[ $guest =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,26}$ ]] || { echo "bad GUEST '$guest'" >&2; exit 2; }
for v in "$size" "$ram" "$disk" "$cpus"; do
  [[ $v =~ ^[0-9][0-9.]*[A-Za-z]{0,2}$ ]] || { echo "bad size or count '$v'" >&2; exit 2; }
done

if $emulated; then
  lib_prepare
  trap lib_host_remove EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  lib_host_create --nic em0 --nic lo0
  cli=("$iohyve_api" "${host_options[@]}")
elif [ -n "${IOHYVE_API:-}" ]; then
  read -ra cli <<<"$IOHYVE_API"
elif [ -x /usr/local/bin/iohyve-api ]; then
  cli=(/usr/local/bin/iohyve-api)
elif command -v iohyve-api >/dev/null; then
  cli=(iohyve-api)
else
  echo "iohyve-api not found: install it (see README), or set IOHYVE_API" >&2
  exit 1
fi
cli+=("${extra[@]}")

if [ -z "${JQ+set}" ]; then
  if ! command -v jq >/dev/null && [ -z "${IOHYVE_BUILD_DIR:-}" ] && command -v apt-get >/dev/null &&
     { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
    lib_install jq || echo "(could not install jq: using grep)" >&2
  fi
  JQ=$(command -v jq || true)
fi

# api JSON: one request; prints the reply. Stops the script when iohyve-api
# fails or the reply is an error (an error envelope, or an action error).
api() {
  local reply status=0 ok
  reply=$(printf '%s\n' "$1" | "${cli[@]}") || status=$?
  if [ -n "$JQ" ]; then
    ok=$("$JQ" -r '.args | (type == "object" and (has("code") or any(.[]; type == "object" and has("error"))))
                   | if . then "no" else "yes" end' <<<"$reply" 2>/dev/null || echo no)
  else
    ok=yes
    grep -q '"error":' <<<"$reply" && ok=no
  fi
  if [ "$status" -ne 0 ] || [ "$ok" != yes ]; then
    printf 'failed (iohyve-api exit status %d): %s\n-> %s\n' "$status" "$1" "${reply:-(no reply)}" >&2
    exit 1
  fi
  printf '%s\n' "$reply"
}

# json KEY VALUE ...: a request object of strings.
json() {
  if [ -n "$JQ" ]; then
    local args=() filter="" sep=""
    while (($#)); do
      args+=(--arg "$1" "$2")
      filter+="$sep\"$1\": \$$1"
      sep=", "
      shift 2
    done
    "$JQ" -cn "${args[@]}" "{$filter}"
  else
    local out="{" sep=""
    while (($#)); do
      out+="$sep\"$1\":\"$2\""
      sep=","
      shift 2
    done
    echo "$out}"
  fi
}

# The value of KEY in the reply's action object (a string), jq or not.
field() {  # field REPLY ACTION KEY
  if [ -n "$JQ" ]; then
    "$JQ" -r --arg a "$2" --arg k "$3" '.args[$a][$k] // empty' <<<"$1"
  else
    grep -oE "\"$3\":\"[^\"]*\"" <<<"$1" | head -n 1 | cut -d'"' -f4
  fi
}

reply=$(api "$(json action issetup)")
if [ "$(field "$reply" issetup setup)" != true ]; then
  if ! $emulated; then
    echo "iohyve is not set up on this host: run setup first (see README)" >&2
    exit 1
  fi
  api "$(json action setup pool tank nic em0)" >/dev/null
  echo "set up the emulated host: pool tank, em0"
fi

api "$(json action create name "$guest" size "$size")" >/dev/null
echo "created $guest ($size)"
api "$(json action setprop name "$guest" ram "$ram" cpu "$cpus")" >/dev/null
echo "$guest: ram $ram, $cpus CPUs"
api "$(json action adddisk name "$guest" size "$disk")" >/dev/null
echo "$guest: added a $disk disk"
api "$(json action start name "$guest")" >/dev/null
echo "started $guest"

reply=$(api "$(json action listvms)")
if [ -n "$JQ" ]; then
  "$JQ" -r --arg g "$guest" '.args.listvms | to_entries[] | select(.key == $g) |
    "\(.key): running \(.value.running), vmm \(.value.vmm), boots with the host \(.value.rcboot), \"\(.value.description)\""' \
    <<<"$reply"
else
  echo "$reply"
fi
reply=$(api "$(json action listdisks name "$guest")")
if [ -n "$JQ" ]; then
  "$JQ" -r --arg g "$guest" '"\($g) disks: " + ([.args.listdisks | to_entries[] | "\(.key) \(.value)"] | join(", "))' \
    <<<"$reply"
else
  echo "$reply"
fi
