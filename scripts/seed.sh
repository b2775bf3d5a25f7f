#!/usr/bin/env bash
# The article's experiment on this machine (`make seed`): for each rank count, one mpirun of
# shmcount per kernel, then the article's table (scripts/seed_article.csv, from shared/seed/)
# beside this machine's, with the ratio to the article per row (scripts/seed_table.py).
#   sequential: one process doing all N units (shmcount's sequential phase), measured where the
#               article has that column;
#   parallel:   one unit per rank at once; the makespan of a repetition (last rank's end minus first
#               rank's start, from the CSV's start_ns and time_ns), not the slowest rank's own time.
#
# Settings (environment variables, or NAME=value arguments):
#   RANKS    rank counts        [the article's: 1 2 4 8 16 32 64 128]
#   KERNELS  kernels            [scalar (closest to the article's JavaScript loop) and the default]
#   REPS     timed repetitions  [3]   WARMUP  warm-ups [1]: a few minutes in all on 2 cores
#   SHMCOUNT the binary         [build/shmcount]
#   SHMCOUNT_PYTHON             [/usr/bin/python3]: the Python 3 that writes the table
#   RESULTS_ROOT                [results]: the run goes to RESULTS_ROOT/seed-<UTC time>/
# Progress goes to stderr; the table to stdout and to table.txt (table.csv: min and max too).
# Exit status: 0 when every point ran, 1 when any failed, 2 for bad settings.
set -uo pipefail
for arg in "$@"; do
  case "$arg" in
    *=*) export "${arg?}" ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "seed: unknown argument '$arg' (settings are NAME=value; see --help)" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)  # The script's companions lie beside it (also installed).
article="$here/seed_article.csv"
SHMCOUNT=${SHMCOUNT:-$here/../build/shmcount}
: "${SHMCOUNT_PYTHON:=/usr/bin/python3}"
RESULTS_ROOT=${RESULTS_ROOT:-results}
[ -x "$SHMCOUNT" ] || { echo "seed: $SHMCOUNT not found; run make first" >&2; exit 2; }
# The default kernel is the one shmcount's --help names as --kernel's default.
default_kernel=$("$SHMCOUNT" --help | sed -n 's/^  --kernel .*\[\(.*\)\]$/\1/p')
RANKS=${RANKS:-$(tail -n +2 "$article" | cut -d, -f1 | tr '\n' ' ')}
KERNELS=${KERNELS:-scalar $default_kernel}
REPS=${REPS:-3}
WARMUP=${WARMUP:-1}
for r in $RANKS; do
  [[ "$r" =~ ^[1-9][0-9]*$ ]] || { echo "seed: RANKS: '$r' is not a positive number" >&2; exit 2; }
done
for kernel in $KERNELS; do
  if ! msg=$("$SHMCOUNT" --plan --ranks 1 --kernel "$kernel" --reps "$REPS" --warmup "$WARMUP" \
             2>&1 >/dev/null); then
    echo "seed: bad settings: $(echo "${msg#shmcount: }" | head -1)" >&2; exit 2
  fi
done

# Open MPI: leave to run as root and to put more ranks than cores; waiting ranks yield their core.
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
pus=$(nproc)
dir="$RESULTS_ROOT/seed-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir" || exit 2

# Rank counts for which the article measured one process doing all units.
with_sequential=" $(awk -F, 'NR > 1 && $2 != "" { printf "%s ", $1 }' "$article")"
points=()
for kernel in $KERNELS; do for r in $RANKS; do points+=("$kernel $r"); done; done
total=${#points[@]}
start=$SECONDS
failed=0
for ((i = 0; i < total; i++)); do
  read -r kernel r <<<"${points[$i]}"
  csv="$dir/$kernel-np$r.csv"
  baseline=(--no-baseline)
  [[ "$with_sequential" == *" $r "* ]] && baseline=()
  t0=$SECONDS
  timeout 900 mpirun -np "$r" "$SHMCOUNT" --kernel "$kernel" --reps "$REPS" --warmup "$WARMUP" \
    "${baseline[@]}" --output "$csv" >"${csv%.csv}.log" 2>&1
  rc=$?
  [ $rc -eq 0 ] || failed=$((failed + 1))
  printf 'seed: [%d/%d] %s, %d rank(s)%s: %s in %ds (elapsed %ds)\n' $((i + 1)) "$total" \
    "$kernel" "$r" "${baseline[*]:+, parallel only}" "$([ $rc -eq 0 ] && echo done ||
    echo "FAILED, exit $rc: see ${csv%.csv}.log")" $((SECONDS - t0)) $((SECONDS - start)) >&2
done

{
  echo "seed: the article's experiment (quad-core i7 with hyper-threading, 2015, node 0.12) on"
  echo "  this machine ($pus PUs): $REPS timed repetitions after $WARMUP warm-up(s) per point, medians;"
  echo "  few repetitions so that the run takes minutes on 2 cores (REPS=, WARMUP= for more)"
  echo "  seq = one process doing all N units; par = makespan of N ranks doing one unit each"
  echo "  (last rank's end - first rank's start); ratio = this machine / article (< 1: faster here)"
  "$SHMCOUNT_PYTHON" "$here/seed_table.py" "$dir" "$article" "$pus" $KERNELS
  echo "results: $dir (table.txt, table.csv; per point: CSV, JSON run context, log)"
} | tee "$dir/table.txt"
[ "$failed" -eq 0 ] || { echo "seed: $failed point(s) failed" >&2; exit 1; }
