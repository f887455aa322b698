#!/usr/bin/env bash
# Every request example of the API document (tests/golden/<action>/
# rest.request and websocket.request, 38 in all), piped verbatim through
# iohyve-api against a fresh emulated FreeBSD host (tests/fakehost), in an
# order where they make sense; each request and response is printed.
#
#   examples/demo.sh
#
# Installs the Debian packages it misses and builds what it needs in build/
# (the CLI and the emulated host), unless IOHYVE_BUILD_DIR names a build
# directory to take them from (the test suite does). Pretty-prints JSON with
# jq when it is installed (JQ=PATH picks one, JQ= none), else with the CLI's
# --pretty; REST responses (the JSON body {"args":...}) are printed as they
# come, one line.
#
# Where a documented pair cannot both succeed in a row (create the same guest
# twice), the real answer is shown with the reason; any other error stops the
# demo with exit status 1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=examples/lib.sh
. "$here/lib.sh"
golden=$lib_root/tests/golden

lib_prepare
trap lib_host_remove EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
lib_host_create --nic re0 --nic lo0  # the document's setup names re0
api=("$iohyve_api" "${host_options[@]}")
JQ=${JQ-$(command -v jq || true)}

# Small local files for the ISO downloads: the emulated fetch(1) reaches
# file:// and local http only, not ftp.freebsd.org.
media=$host_dir/media
mkdir "$media"
for iso in FreeBSD-10.1-RELEASE-amd64-disc1.iso test.iso FreeBSD-10.2-RELEASE-amd64-disc1.iso \
           FreeBSD-10.2-RELEASE-amd64-bootonly.iso; do
  head -c 1048576 /dev/zero >"$media/$iso"
done

# Values that differ from run to run are masked.
mask() {
  sed -E \
    -e 's/\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}/{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/YYYY-MM-DDThh:mm:ssZ/g' \
    -e 's/("download_rate": ?")[^"]+"/\1<rate>"/g' \
    -e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [A-Z]{3} [0-9]{4}/Www Mmm dd hh:mm:ss ZZZ yyyy/g'
}

# fetchiso's progress events: their number depends on the machine's speed, so
# only the first and the final one are shown. Reads the CLI's output, compact
# (one JSON document a line) or --pretty (a document ends with a line "}").
thin_events() {
  awk '
    function emit(doc) {
      if (doc ~ /"name": ?"dispatcher"/) {
        events++
        if (events > 1 && doc !~ /"state": ?"finished"/) return
        if (events > 1) print "(progress events in between, if any, left out: their number depends on the machine'"'"'s speed)"
      }
      printf "%s", doc
    }
    buf == "" && /^\{.*\}$/ { emit($0 "\n"); next }
    buf == "" && $0 == "{"  { buf = $0 "\n"; next }
    buf == ""               { print; next }
                            { buf = buf $0 "\n" }
    $0 == "}"               { emit(buf); buf = "" }
    END                     { printf "%s", buf }'
}

# Prints the CLI's output (stdin) for a request of this form.
show() {
  if [ "$1" = websocket ] && [ -n "$JQ" ]; then
    thin_events | mask | while IFS= read -r line; do
      if [[ $line == \{* ]]; then "$JQ" . <<<"$line"; else printf '%s\n' "$line"; fi
    done
  else
    thin_events | mask
  fi
}

# The reply's code, in either form: the "code" of an error envelope or action
# error, else 200 (read from the first JSON document of the output).
reply_code() {
  local code
  code=$(awk 'NR == 1 && /\}$/ { print; exit } { print } /^\}$/ { exit }' <<<"$2" |
         grep -oE '"code": ?"[0-9]+"' | head -n 1 | grep -oE '[0-9]+' || true)
  echo "${code:-200}"
}

total=38
n=0

# step ACTION FORM EXPECTED [WHY [SED-EXPRESSION NOTE]]
# Sends tests/golden/ACTION/FORM.request (edited by SED-EXPRESSION, if given,
# as NOTE says) and checks that the reply's code is EXPECTED (200: success).
step() {
  local action=$1 form=$2 expected=$3 why=${4:-} edit=${5:-} note=${6:-}
  local file=$golden/$action/$form.request label=WebSocket out status=0 code pretty=()
  n=$((n + 1))
  [ "$form" = rest ] && label=REST
  [ "$form" = websocket ] && [ -z "$JQ" ] && pretty=(--pretty)
  printf '\n== %d/%d %s (%s)\n' "$n" "$total" "$action" "$label"
  if [ -n "$edit" ]; then
    printf '%s\n' "$note"
    printf -- '-- request: tests/golden/%s/%s.request, edited as said\n' "$action" "$form"
    sed -e "$edit" "$file"
    out=$(sed -e "$edit" "$file" | "${api[@]}" "${pretty[@]}") || status=$?
  else
    printf -- '-- request: tests/golden/%s/%s.request\n' "$action" "$form"
    cat "$file"
    out=$("${api[@]}" "${pretty[@]}" <"$file") || status=$?
  fi
  printf -- '-- response (exit status %d):\n' "$status"
  show "$form" <<<"$out"
  code=$(reply_code "$form" "$out")
  local want_status=0
  [ "$expected" = 200 ] || want_status=1
  if [ "$code" != "$expected" ] || [ "$status" != "$want_status" ]; then
    printf '!! unexpected reply: wanted %s (exit status %d), got %s (exit status %d); demo stopped\n' \
      "$expected" "$want_status" "${code:-nothing}" "$status" >&2
    exit 1
  fi
  if [ "$expected" != 200 ]; then
    printf -- '-- expected error %s: %s\n' "$expected" "$why"
  fi
}

# An ISO the document's later examples name, fetched from a local file by a
# request that is not one of the document's.
fetch_local_iso() {
  local name=$1 why=$2 request out
  request="{\"action\":\"fetchiso\",\"url\":\"file://$media/$name\"}"
  printf '\n-- preparation, not a document example (%s):\n%s\n' "$why" "$request"
  out=$("${api[@]}" --no-events <<<"$request") || {
    printf '%s\n!! preparation failed; demo stopped\n' "$out" >&2
    exit 1
  }
  mask <<<"$out"
}

cat <<EOF
iohyve-api demo: the $total request examples of the API document, against an emulated FreeBSD host
(fakehost init: pool tank of 100G, interfaces re0 and lo0), through
  iohyve-api --bin-dir HOST/bin --rc-conf HOST/rc.conf --vmm-dir HOST/vmm --lock-dir HOST/locks    (HOST: $host_dir/host)
Run-dependent values are masked: queue ids {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, times
YYYY-MM-DDThh:mm:ssZ, dates Www Mmm dd hh:mm:ss ZZZ yyyy (iohyve create's description), rates <rate>.
EOF

step setup rest 200
step setup websocket 200
step issetup rest 200
step issetup websocket 200
step version rest 200
step version websocket 200

documented_url='ftp://ftp.freebsd.org/pub/FreeBSD/releases/amd64/amd64/ISO-IMAGES/10.1/'
url_edit="s|$documented_url|file://$media/|"
url_note="   EDITED: the documented URL is ${documented_url}FreeBSD-10.1-RELEASE-amd64-disc1.iso,
   which the emulated fetch cannot reach; this request has file://$media/ instead
   (a local file of the same name)"
step fetchiso rest 200 "" "$url_edit" "$url_note"
step fetchiso websocket 409 "the REST request just fetched this ISO" "$url_edit" "$url_note"

fetch_local_iso test.iso "renameiso renames test.iso"
fetch_local_iso FreeBSD-10.2-RELEASE-amd64-disc1.iso "install boots this ISO"
fetch_local_iso FreeBSD-10.2-RELEASE-amd64-bootonly.iso "rmiso removes this ISO"

step listisos rest 200
step listisos websocket 200
step renameiso rest 200
step renameiso websocket 404 "test.iso was renamed to 102.iso by the REST request"

step create rest 200
step create websocket 409 "the REST request created bsdguest"
step getprops rest 200
step getprops websocket 200
step setprop rest 200
step setprop websocket 200
step listvms rest 200
step listvms websocket 200
step adddisk rest 200
step adddisk websocket 200  # a second one, disk2
step listdisks rest 200
step listdisks websocket 200
step resizedisk rest 200
step resizedisk websocket 400 "the REST request already made disk0 20G: not a larger size"

# install and start both leave the guest running; stop ends it. In this
# order each stop has a running guest and the guest ends stopped (delete
# refuses a running one).
step install rest 200
step start rest 409 "the installer started by install is running bsdguest"
step stop rest 200
step start websocket 200
step install websocket 409 "bsdguest is running (started just now)"
step stop websocket 200

step deletedisk rest 200
step deletedisk websocket 404 "the REST request deleted disk1"
step delete rest 200
step delete websocket 404 "the REST request deleted bsdguest"
step rmiso rest 200
step rmiso websocket 404 "the REST request removed this ISO"

[ "$n" -eq "$total" ] || { echo "!! $n steps, not $total" >&2; exit 1; }
printf '\nAll %d requests done: each answer was a success or the expected error.\n' "$total"
