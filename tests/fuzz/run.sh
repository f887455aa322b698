#!/usr/bin/env bash
# Builds the fuzz targets (clang, -Dfuzz=enabled) and runs each for a bounded
# time over a scratch copy of its seeds plus its regression inputs; fails on
# any crash, leak, sanitizer report or property violation. Prints the
# executions per target and in total. Called by tests/run.sh.
#
# The seed is fixed (FUZZ_SEED, default 1) and so is the number of inputs
# per target (runs below, about 40 s each on a 2-core machine; FUZZ_RUNS=N
# for N per target): libFuzzer then tries the same inputs in the same order
# on every machine, so CI fails only for a change of the code, never by the
# luck of the draw, and a CI failure replays here. SECONDS caps each target
# on a slow machine (it then stops early, on a prefix of the same inputs).
# Longer or other-seed runs (tests/fuzz/README.md) look for new findings.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [BUILD_DIR]     # defaults: 45, build-fuzz
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-45}
seed=${FUZZ_SEED:-1}
dir=${2:-build-fuzz}
targets=(envelope values parsers handler)
declare -A runs_of=([envelope]=400000 [values]=1500000 [parsers]=600000 [handler]=180000)

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" -Dfuzz=enabled -Dcli=false >/dev/null
fi
ninja -C "$dir" "${targets[@]/#/tests/fuzz/fuzz_}"

artifacts="$dir/fuzz-artifacts"
mkdir -p "$artifacts"
total=0
failed=()
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  log=$(mktemp)
  # New inputs go to the scratch folder (the first one), never into the
  # repository's corpus; the seeds and the regressions are only read.
  inputs=("tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")
  status=0
  "$dir/tests/fuzz/fuzz_$t" -seed="$seed" -runs="${FUZZ_RUNS:-${runs_of[$t]}}" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
    "$work" "${inputs[@]}" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  runs=${runs:-0}
  total=$((total + runs))
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    echo "fuzz_$t: FAILED after $runs executions (exit status $status); the input is in $artifacts:"
    grep -E 'ERROR|runtime error|property violated|SUMMARY|Test unit written' "$log" | head -n 12 || true
  else
    echo "fuzz_$t: $runs executions, nothing found"
  fi
  rm -rf "$work" "$log"
done
echo "fuzz: $total executions in total (${#targets[@]} targets, at most $seconds s each, seed $seed)"
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
