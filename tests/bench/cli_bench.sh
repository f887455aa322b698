#!/usr/bin/env bash
# CLI figures of the issue: start-up wall time per process (`--version`, and
# one `--dry-run` create request), batch throughput (10,000 dry-run requests
# through one `--batch --dry-run` process) and the peak memory of one request.
#
#   tests/bench/cli_bench.sh [BUILD_DIR]         (default: build)
#   RUNS=500 BATCH=10000 BATCH_RUNS=5 tests/bench/cli_bench.sh build-bench
#   NO_HYPERFINE=1 tests/bench/cli_bench.sh ...  the bash loop even with hyperfine
#   tests/bench/cli_bench.sh --micro BUILD_DIR   also runs the Google Benchmark
#                                                binaries of tests/bench/ first
#   ninja -C BUILD_DIR bench                     the same as --micro (meson run_target)
#
# Measure a release build (meson setup build-bench -Dbuildtype=release).
# Start-up uses hyperfine when it is installed (apt-get install hyperfine),
# else a bash loop timed with $EPOCHREALTIME (no fork per sample); in the loop
# every figure includes bash's own fork+exec, which the table shows on its own
# line (/bin/true) for comparison. Peak RSS comes from GNU time
# (/usr/bin/time -v; Debian package `time`). Dry runs need no emulated host:
# nothing is executed. Times are wall-clock: on a loaded machine they are
# upper bounds, so run it when nothing else runs, and look at min as well.
set -euo pipefail

micro=false
if [[ ${1:-} == --micro ]]; then
  micro=true
  shift
fi
build=${1:-build}
runs=${RUNS:-300}
batch=${BATCH:-10000}
batch_runs=${BATCH_RUNS:-5}
cli=$build/cli/iohyve-api

die() { echo "cli_bench: $*" >&2; exit 2; }
[[ -x $cli ]] || die "no $cli: build first (meson setup $build -Dbuildtype=release && ninja -C $build)"
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

request='{"action":"create","name":"web","size":"10G"}'
printf '%s\n' "$request" >"$work/one.json"

# --- Google Benchmark (optional) ---------------------------------------------
if $micro; then
  for b in handler parsers locks; do
    exe=$build/tests/bench/${b}_bench
    [[ -x $exe ]] || die "no $exe (configure with -Dbenchmarks=enabled)"
    echo "== $exe (medians of 10 repetitions)"
    "$exe" --benchmark_repetitions=10 --benchmark_report_aggregates_only=true 2>/dev/null |
      grep -E '^Benchmark|^-+$|_median'
    echo
  done
fi

# --- helpers -------------------------------------------------------------------
# Median, mean, min and max (ms) of the numbers (seconds) on stdin.
stats_ms() {
  sort -g | awk '{ v[NR] = $1 * 1000; s += v[NR] }
    END { if (NR == 0) exit 1
          m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.3f %.3f %.3f %.3f\n", m, s / NR, v[1], v[NR] }'
}

# Per-process wall times (seconds, one per line) of "$@" with stdin from $1.
loop_times() {
  local input=$1
  shift
  local i t0 t1
  for ((i = 0; i < 10; ++i)); do "$@" <"$input" >/dev/null 2>&1 || true; done  # warm-up
  for ((i = 0; i < runs; ++i)); do
    t0=$EPOCHREALTIME
    "$@" <"$input" >/dev/null 2>&1 || true
    t1=$EPOCHREALTIME
    echo "${t1/./} ${t0/./}" | awk '{ printf "%.9f\n", ($1 - $2) / 1e6 }'
  done
}

# Start-up of one command line; prints "median mean min max" in ms.
have_hyperfine=false
[[ -z ${NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null && have_hyperfine=true
startup() {
  local input=$1
  shift
  if $have_hyperfine; then
    local csv=$work/hf.csv
    if [[ $input == /dev/null ]]; then
      hyperfine -N --style none --warmup 20 --runs "$runs" --export-csv "$csv" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    else
      # stdin redirection needs a shell; hyperfine measures the shell's own
      # start-up and subtracts it.
      hyperfine --style none --warmup 20 --runs "$runs" --export-csv "$csv" -- "$(printf '%q ' "$@") < $(printf '%q' "$input")" >/dev/null 2>&1
    fi
    # command,mean,stddev,median,user,system,min,max (seconds)
    tail -n 1 "$csv" | awk -F, '{ printf "%.3f %.3f %.3f %.3f\n", $(NF-4) * 1000, $(NF-6) * 1000, $(NF-1) * 1000, $NF * 1000 }'
  else
    loop_times "$input" "$@" | stats_ms
  fi
}

rows=()
row() { rows+=("$(printf '%-46s %11s %11s %11s %11s %10s  %s' "$@")"); }

# --- start-up ------------------------------------------------------------------
method=$($have_hyperfine && echo "hyperfine, $runs runs" || echo "bash loop, $runs runs")
# "Wall time per process over many runs" is the mean (total / runs): the
# target is checked against it, so that rare slow exits count too; the
# median and max show whether the time is spread evenly or not.
read -r v_med v_mean v_min v_max < <(startup /dev/null "$cli" --version)
read -r d_med d_mean d_min d_max < <(startup "$work/one.json" "$cli" --dry-run)
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { print ((op == "<" ? v < t : v > t) ? "yes" : "NO") }'; }
row "start-up: --version" "$v_med ms" "$v_mean ms" "$v_min ms" "$v_max ms" "< 5 ms" "$(met "$v_mean" 5 '<')"
row "start-up: --dry-run create" "$d_med ms" "$d_mean ms" "$d_min ms" "$d_max ms" "< 5 ms" "$(met "$d_mean" 5 '<')"
if ! $have_hyperfine; then
  read -r t_med t_mean t_min t_max < <(startup /dev/null /bin/true)
  row "  (bash fork+exec of /bin/true, included above)" "$t_med ms" "$t_mean ms" "$t_min ms" "$t_max ms" "" ""
fi

# --- batch throughput ------------------------------------------------------------
for ((i = 0; i < batch; ++i)); do
  printf '{"id":%d,"namespace":"sysadm","name":"iohyve","args":{"action":"create","name":"web%d","size":"10G"}}\n' "$i" "$i"
done >"$work/batch.json"
"$cli" --batch --dry-run <"$work/batch.json" >"$work/batch.out"
lines=$(wc -l <"$work/batch.out")
errors=$(grep -c '"name":"error"\|"code":"' "$work/batch.out" || true)
[[ $lines -eq $batch && $errors -eq 0 ]] || die "batch: $lines replies, $errors errors for $batch requests"
for ((r = 0; r < batch_runs; ++r)); do
  t0=$EPOCHREALTIME
  "$cli" --batch --dry-run <"$work/batch.json" >/dev/null
  t1=$EPOCHREALTIME
  echo "${t1/./} ${t0/./}" | awk -v n="$batch" '{ printf "%.1f\n", n / (($1 - $2) / 1e6) }'
done | sort -g >"$work/rates"
rate_med=$(awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$work/rates")
rate_max=$(tail -n 1 "$work/rates")
rate_min=$(head -n 1 "$work/rates")
row "batch: $batch dry-run requests, $batch_runs runs" "$(printf '%.0f/s' "$rate_med")" \
  "" "$(printf '%.0f/s' "$rate_min")" "$(printf '%.0f/s' "$rate_max")" "> 50000/s" "$(met "$rate_med" 50000 '>')"

# --- peak memory -------------------------------------------------------------------
if [[ -x /usr/bin/time ]]; then
  rss_kib() {
    local input=$1
    shift
    /usr/bin/time -v "$@" <"$input" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
  }
  for what in dry-run batch version; do
    case $what in
      dry-run) kib=$(rss_kib "$work/one.json" "$cli" --dry-run) ;;
      batch) kib=$(rss_kib "$work/batch.json" "$cli" --batch --dry-run) ;;
      version) kib=$(rss_kib /dev/null "$cli" --version) ;;
    esac
    mib=$(awk -v k="$kib" 'BEGIN { printf "%.2f", k / 1024 }')
    case $what in
      dry-run) row "peak RSS: one --dry-run request (time -v)" "$mib MiB" "" "" "" "< 8 MiB" "$(met "$mib" 8 '<')" ;;
      batch) row "  peak RSS: --batch, $batch requests" "$mib MiB" "" "" "" "" "" ;;
      version) row "  peak RSS: --version" "$mib MiB" "" "" "" "" "" ;;
    esac
  done
else
  row "peak RSS: /usr/bin/time missing (apt-get install time)" "-" "" "" "" "< 8 MiB" "?"
fi

# --- table ---------------------------------------------------------------------------
echo "iohyve-api CLI ($cli), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "start-up: $method; the target is checked against the mean (wall time per process)"
printf '%-46s %11s %11s %11s %11s %10s  %s\n' "measure" "median" "mean" "min" "max" "target" "met"
for r in "${rows[@]}"; do echo "$r"; done
