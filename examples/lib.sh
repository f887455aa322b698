# Shared by examples/demo.sh and examples/pipe.sh (sourced, not run):
# Debian packages, building the CLI and the emulated host, making a fresh
# emulated FreeBSD host and removing it.
#
#   lib_prepare          packages + build; sets iohyve_api and fakehost (paths)
#   lib_host_create      a fresh emulated host; sets host_dir, host_options
#   lib_host_remove      kills its guests and removes it (safe to call twice)
#
# With IOHYVE_BUILD_DIR set (the test suite does), nothing is installed or
# built: the binaries are taken from that build directory.
# shellcheck shell=bash

lib_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The same packages and method as tests/run.sh.
lib_packages=(meson ninja-build g++ pkg-config libfmt-dev rapidjson-dev libgtest-dev libgmock-dev
              libcli11-dev libbenchmark-dev)

# lib_install PACKAGE...: installs those that are missing (apt-get, sudo when
# not root). Returns 1 when something is missing and cannot be installed.
lib_install() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  if ! command -v apt-get >/dev/null; then
    echo "missing packages: ${missing[*]} (install them, see README)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2 &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Builds only the CLI and the emulated host, in build/ (configured if needed).
lib_build() {
  local dir=$lib_root/build log
  log=$(mktemp)
  if [ ! -f "$dir/build.ninja" ]; then
    echo "configuring build/ (meson setup)" >&2
    if ! meson setup "$dir" "$lib_root" >"$log" 2>&1; then
      cat "$log" >&2; rm -f "$log"; return 1
    fi
  fi
  if ! ninja -C "$dir" -t targets all 2>/dev/null | grep -q '^tests/fakehost/fakehost:'; then
    meson configure "$dir" -Dtests=true -Dcli=true >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
  fi
  local targets=(cli/iohyve-api tests/fakehost/fakehost)
  ninja -C "$dir" -n "${targets[@]}" 2>/dev/null | grep -q 'no work to do' ||
    echo "building ${targets[*]} in build/ (the first time takes a few minutes)" >&2
  if ! ninja -C "$dir" "${targets[@]}" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; return 1
  fi
  rm -f "$log"
}

lib_prepare() {
  local dir=${IOHYVE_BUILD_DIR:-}
  if [ -z "$dir" ]; then
    lib_install "${lib_packages[@]}"
    lib_build
    dir=$lib_root/build
  fi
  iohyve_api=$dir/cli/iohyve-api
  fakehost=$dir/tests/fakehost/fakehost
  local f
  for f in "$iohyve_api" "$fakehost"; do
    [ -x "$f" ] || { echo "not built: $f" >&2; return 1; }
  done
}

# lib_host_create [fakehost init options...]: a fresh emulated host in a new
# temporary folder, owned by this shell (its guests end when the shell does).
# Sets host_dir and host_options (the CLI options that point at it).
lib_host_create() {
  host_dir=$(mktemp -d "${TMPDIR:-/tmp}/iohyve-demo.XXXXXX")
  "$fakehost" init "$host_dir/host" --owner "$$" "$@"
  # shellcheck disable=SC2034  # for the script that sources this file
  host_options=(--bin-dir "$host_dir/host/bin" --rc-conf "$host_dir/host/rc.conf" --vmm-dir "$host_dir/host/vmm"
                --lock-dir "$host_dir/host/locks")
}

lib_host_remove() {
  [ -n "${host_dir:-}" ] || return 0
  if [ -d "$host_dir/host/state" ]; then "$fakehost" stop "$host_dir/host" || true; fi
  rm -rf "$host_dir"
  host_dir=""
}
