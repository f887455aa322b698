#!/usr/bin/env bash
# The project's test command: installs missing Debian packages, then builds
# and runs the whole test suite twice:
#   build/        g++ and libstdc++ (Debian's default toolchain)
#   build-clang/  clang 19 and libc++, as FreeBSD 14.3 and 15 ship them, with
#                 AddressSanitizer + UndefinedBehaviorSanitizer (failing on the
#                 first report) and the runner's FreeBSD code paths
# then ThreadSanitizer on the concurrency test (clang) and the libFuzzer
# targets for a fixed number of inputs each, at most FUZZ_SECONDS=90 s (tests/fuzz/run.sh).
#
#   tests/run.sh            # both builds
#   tests/run.sh --quick    # the g++ build only
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(meson ninja-build g++ pkg-config libfmt-dev rapidjson-dev libgtest-dev libgmock-dev
          libcli11-dev libbenchmark-dev
          libboost-dev libssl-dev python3-websockets curl openssl)  # the last five: iohyve-apid and its tests
# The full run: clang 19 + libc++ (Debian's compiled fmt, GoogleTest and
# benchmark are built with libstdc++, so that build uses fmt header-only and
# GoogleTest's sources), and Debian's default clang for TSan and libFuzzer.
[ "${1:-}" = "--quick" ] ||
  packages+=(clang-19 libc++-19-dev libc++abi-19-dev libclang-rt-19-dev googletest clang libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null; then
    echo "missing packages: ${missing[*]} (install them, see README)" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

werror=false
[ "${CI:-}" = "true" ] && werror=true

build() {  # build DIR [meson options...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dwerror=$werror "$@"
  else
    # An existing build keeps its toolchain: --native-file is for setup only.
    local options=() skip=false o
    for o in "$@"; do
      if $skip; then skip=false; elif [ "$o" = --native-file ]; then skip=true; else options+=("$o"); fi
    done
    meson configure "$dir" -Dwerror=$werror "${options[@]}" >/dev/null
  fi
  ninja -C "$dir"
  local log
  log=$(mktemp)
  meson test -C "$dir" --print-errorlogs --num-processes 2 | tee "$log"
  # One closing line in the plain 'N passed, N failed' form.
  local ok fail
  ok=$(awk '/^Ok:/ {print $2}' "$log")
  fail=$(awk '/^Fail:/ {print $2}' "$log")
  rm -f "$log"
  echo "$dir: ${ok:-0} passed, ${fail:-0} failed"
  total_ok=$((total_ok + ${ok:-0}))
  total_fail=$((total_fail + ${fail:-0}))
}
total_ok=0
total_fail=0

# The installed library, headers and pkg-config file are enough to build a
# program: examples/embed compiled outside meson, against a staged install.
check_installed_library() {  # check_installed_library BUILD_DIR
  local stage
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' RETURN
  meson install -C "$1" --destdir "$stage" --quiet >/dev/null
  local pc
  pc=$(dirname "$(find "$stage" -name iohyve-api.pc | head -n1)")
  # The .pc names the final prefix; point it into the staging folder.
  local prefix flags
  prefix=$(PKG_CONFIG_PATH=$pc pkg-config --variable=prefix iohyve-api)
  flags=$(PKG_CONFIG_PATH=$pc pkg-config --define-variable=prefix="$stage$prefix" --cflags --libs iohyve-api)
  # shellcheck disable=SC2086  # flags are words by design
  c++ -std=c++20 examples/embed/main.cpp $flags -o "$stage/embed"
  local libdir
  libdir=$(PKG_CONFIG_PATH=$pc pkg-config --define-variable=prefix="$stage$prefix" --variable=libdir iohyve-api)
  # Against real FreeBSD paths that do not exist here: the program must run
  # and report the missing tool (503) rather than crash.
  local out
  out=$(LD_LIBRARY_PATH=$libdir "$stage/embed" || true)
  case "$out" in
    *'handler: {"args":{"version":{"code":"503"'*) echo "installed library: embed example built with pkg-config and ran" ;;
    *) echo "installed library check failed: $out" >&2; return 1 ;;
  esac
}

build build
check_installed_library build
if [ "${1:-}" != "--quick" ]; then
  # Leak detection stays on; the sanitizer build is debug so traces are
  # readable. b_lundef=false: clang's sanitizer runtimes resolve at run time.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build build-clang --native-file tests/toolchains/clang19-libcxx.ini \
      -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Dfreebsd_code_paths=true
  # ThreadSanitizer (clang): only the concurrency test and what it links
  if [ ! -f build-tsan/build.ninja ]; then
    CC=clang CXX=clang++ meson setup build-tsan -Db_sanitize=thread -Dcli=false -Dbenchmarks=disabled >/dev/null
  fi
  ninja -C build-tsan tests/concurrency_test
  TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/concurrency_test
  echo "build-tsan: concurrency test passed, no data race reported"
  # libFuzzer targets (clang), a fixed seed and number of inputs each, at most FUZZ_SECONDS (see tests/fuzz/README.md)
  tests/fuzz/run.sh "${FUZZ_SECONDS:-90}" build-fuzz
fi
# The closing line: the test programs of every build (a failure above has
# already stopped the script with a non-zero status).
echo "all builds: $total_ok passed, $total_fail failed"
