#!/usr/bin/env bash
# Runs a matrix of shmcount jobs (ranks x strategies x kernels), each point one mpirun, into one
# result set: results/<NAME>/ with every point's CSV and run context, manifest.csv (one line per
# point: status done|failed|pending), matrix.txt (the settings), machine.csv (every PU of this
# machine) and bench.json (kernel microbenchmarks, for the kernels figure).
#
# Settings (environment variables, or NAME=value arguments):
#   RANKS    rank counts            [1 2 4 ... 2 x the PUs of this machine]
#   PINS     strategies             [none compact core scatter]
#   KERNELS  kernels                [naive]
#   REPS     timed repetitions      [10]        WARMUP  warm-ups [1]
#   SIZE     int32 elements         [200000]    VALUES  values   [1000]
#   BENCH    1: also run the kernel microbenchmarks into bench.json  [1]
#   NAME     result set folder      [sweep-<host>-<hash of the settings>]
#   SHMCOUNT the binary             [build/shmcount]
#   RESULTS_ROOT where result sets go [results]
# The same settings give the same NAME, so running the sweep again resumes it: finished points are
# skipped. Ctrl-C stops after the current point is cleaned up; finished points are kept.
# Exit status: 0 when every point succeeded, 1 when any failed, 2 for bad settings, 130 on Ctrl-C.
set -uo pipefail
for arg in "$@"; do
  case "$arg" in
    *=*) export "${arg?}" ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "sweep: unknown argument '$arg' (settings are NAME=value; see --help)" >&2; exit 2 ;;
  esac
done

# Open MPI refuses to run as root unless told; a sweep as root is common on lab machines.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
SHMCOUNT=${SHMCOUNT:-$repo/build/shmcount}
BENCH_BIN=${BENCH_BIN:-$repo/build/bench/shmcount_bench}
RESULTS_ROOT=${RESULTS_ROOT:-results}
[ -x "$SHMCOUNT" ] || { echo "sweep: $SHMCOUNT not found; run make first" >&2; exit 2; }
pus=$(nproc)
if [ -z "${RANKS:-}" ]; then
  RANKS=""; for ((r = 1; r <= 2 * pus; r *= 2)); do RANKS+="$r "; done
fi
PINS=${PINS:-none compact core scatter}
KERNELS=${KERNELS:-naive}
REPS=${REPS:-10}
WARMUP=${WARMUP:-1}
SIZE=${SIZE:-200000}
VALUES=${VALUES:-1000}
BENCH=${BENCH:-1}

# Refuse bad settings before anything runs: shmcount's own parser checks names and numbers.
for r in $RANKS; do
  [[ "$r" =~ ^[1-9][0-9]*$ ]] || { echo "sweep: RANKS: '$r' is not a positive number" >&2; exit 2; }
done
for pin in $PINS; do
  for kernel in $KERNELS; do
    if ! msg=$("$SHMCOUNT" --plan --ranks 1 --pin "$pin" --kernel "$kernel" --reps "$REPS" \
               --warmup "$WARMUP" --size "$SIZE" --values "$VALUES" 2>&1 >/dev/null); then
      echo "sweep: bad settings: $(echo "${msg#shmcount: }" | head -1)" >&2; exit 2
    fi
  done
done
[ -n "$RANKS" ] && [ -n "$PINS" ] && [ -n "$KERNELS" ] ||
  { echo "sweep: RANKS, PINS and KERNELS must not be empty" >&2; exit 2; }

settings="RANKS=$RANKS
PINS=$PINS
KERNELS=$KERNELS
REPS=$REPS
WARMUP=$WARMUP
SIZE=$SIZE
VALUES=$VALUES
BENCH=$BENCH"
NAME=${NAME:-sweep-$(hostname -s)-$(echo "$settings" | sha1sum | cut -c1-8)}
set_dir="$RESULTS_ROOT/$NAME"
mkdir -p "$set_dir/points"
if [ -f "$set_dir/matrix.txt" ] && [ "$(cat "$set_dir/matrix.txt")" != "$settings" ]; then
  echo "sweep: $set_dir holds a sweep with other settings; choose another NAME" >&2; exit 2
fi
echo "$settings" >"$set_dir/matrix.txt"
if [ ! -f "$set_dir/machine.csv" ]; then
  "$SHMCOUNT" --plan --ranks "$pus" --pin compact --format csv >"$set_dir/machine.csv.tmp" &&
    mv "$set_dir/machine.csv.tmp" "$set_dir/machine.csv"
fi

# The matrix, one point per line: kernel pin ranks; each point's files are named after it.
point_file() { local kernel pin r; read -r kernel pin r <<<"$1"; echo "$kernel-${pin//[^a-zA-Z0-9_-]/_}-np$r"; }
points=()
for kernel in $KERNELS; do for pin in $PINS; do for r in $RANKS; do
  points+=("$kernel $pin $r")
done; done; done
total=${#points[@]}
# Each point's status lives beside its CSV (points/<point>.status), so a rerun resumes.
declare -A status
for p in "${points[@]}"; do
  f="$set_dir/points/$(point_file "$p").status"
  [ -f "$f" ] && status[$p]=$(cat "$f")
done
manifest="$set_dir/manifest.csv"
write_manifest() {
  {
    echo "point,kernel,pin,ranks,status,csv"
    local i=0 p kernel pin r
    for p in "${points[@]}"; do
      read -r kernel pin r <<<"$p"
      i=$((i + 1))
      echo "$i,$kernel,\"$pin\",$r,${status[$p]:-pending},points/$(point_file "$p").csv"
    done
  } >"$manifest.tmp" && mv "$manifest.tmp" "$manifest"
}

interrupted=0
trap 'interrupted=1' INT TERM
start=$SECONDS
done_now=0
failed=()
for ((i = 0; i < total; i++)); do
  p=${points[$i]}
  read -r kernel pin r <<<"$p"
  csv="$set_dir/points/$(point_file "$p").csv"
  label="[$((i + 1))/$total] $kernel --pin $pin, $r rank(s)"
  if [ "${status[$p]:-}" = done ] && [ -f "$csv" ]; then
    echo "$label: done earlier, skipped"; continue
  fi
  rm -f "$csv" "${csv%.csv}".{json,status}  # A failed point is run again from scratch.
  extra=()
  [ "$r" -gt "$pus" ] && extra+=(--oversubscribe)
  t0=$SECONDS
  mpirun -np "$r" "${extra[@]}" "$SHMCOUNT" --pin "$pin" --kernel "$kernel" --reps "$REPS" \
    --warmup "$WARMUP" --size "$SIZE" --values "$VALUES" --output "$csv" \
    >"${csv%.csv}.log" 2>&1
  rc=$?
  if [ $interrupted -eq 1 ]; then
    rm -f "$csv" "${csv%.csv}.json"
    status[$p]=pending; write_manifest
    echo "sweep: interrupted; $((i)) of $total points kept in $set_dir; run the sweep again to resume"
    exit 130
  fi
  if [ $rc -eq 0 ]; then status[$p]=done; else status[$p]=failed; failed+=("$label (exit $rc)"); fi
  echo "${status[$p]}" >"${csv%.csv}.status"
  write_manifest
  done_now=$((done_now + 1))
  elapsed=$((SECONDS - start))
  left=$(( elapsed * (total - i - 1) / done_now ))
  printf '%s: %s in %ds; elapsed %ds, about %ds left\n' "$label" "${status[$p]}" \
    $((SECONDS - t0)) "$elapsed" "$left"
done
write_manifest

if [ "$BENCH" = 1 ] && [ ! -f "$set_dir/bench.json" ]; then
  if [ -x "$BENCH_BIN" ]; then
    echo "sweep: kernel microbenchmarks (bench.json) ..."
    "$BENCH_BIN" --benchmark_filter='Size/' --benchmark_repetitions=3 \
      --benchmark_min_time=0.05 --benchmark_display_aggregates_only=true \
      --benchmark_out="$set_dir/bench.json.tmp" --benchmark_out_format=json >/dev/null &&
      mv "$set_dir/bench.json.tmp" "$set_dir/bench.json"
  else
    echo "sweep: $BENCH_BIN not built; no bench.json" >&2
  fi
fi

echo "sweep: result set $set_dir ($total points)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "sweep: ${#failed[@]} point(s) failed (see their .log files):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "next: make plots RESULTS=$set_dir"
