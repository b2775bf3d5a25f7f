#!/usr/bin/env bash
# Runs a matrix of shmcount jobs into one result set, in rounds. A point is one rank count and one
# value of every axis; every round runs every point once (one mpirun each), in an order of its
# own drawn from SEED, so a burst of background load spreads over the points instead of landing on
# one of them. The rounds of a point are merged into one set of repetitions by make plots.
#
# Settings (environment variables, or NAME=value arguments):
#   RANKS    rank counts                   [1 2 4 ... up to 2 x the PUs of this machine]
#   <AXES>   one setting per axis that `shmcount --list axes` reports, named after the axis in
#            capitals, made plural (+S; +ES after CH, SH, X; Y -> IES; a name ending in S stays):
#            KERNELS, PINS, SIZES, VALUES, PATTERNS, SHARES, PAGES, TOUCHES, MEMPOLICIES, ... (the
#            list below; the singular, e.g. SHARE or TOUCH, is accepted too). Its values, separated
#            by spaces   [PINS: none compact core scatter; any other axis: shmcount's default]
#   ROUNDS   rounds                        [3]
#   REPS     timed repetitions per run     [3]   (ROUNDS x REPS per point)
#   WARMUP   warm-ups per run              [1]
#   SEED     seed of the rounds' orders    [taken from the settings' hash]
#   BENCH    1: also run the kernel microbenchmarks into bench.json  [1]
#   NAME     result set folder             [sweep-<host>-<hash of the settings>]
#   SHMCOUNT the binary                    [build/shmcount]
#   RESULTS_ROOT where result sets go      [results]
# Only axes with several values or a value other than shmcount's default are passed to shmcount.
# mpirun gets --oversubscribe only for points with more ranks than this machine's cores (Open MPI
# counts one slot per core); OMPI_MCA_rmaps_base_oversubscribe is unset for every point.
#
# Output: results/<NAME>/ with points/<point>/r<round>.{csv,json,log,status}, manifest.csv (one
# line per run in the order run: round, order, point, ranks, every axis, status done|failed|
# pending, csv), matrix.txt (the settings), axes.tsv (shmcount --list axes), machine.csv (every PU)
# and bench.json. The same settings give the same NAME and the same orders, so running the sweep
# again resumes it: finished runs are skipped, failed ones run again. Ctrl-C stops after the
# current run is cleaned up.
# Exit status: 0 when every run succeeded, 1 when any failed, 2 for bad settings, 130 on Ctrl-C.
set -uo pipefail
PY=/usr/bin/python3
repo=$(cd "$(dirname "$0")/.." && pwd)
SHMCOUNT=${SHMCOUNT:-$repo/build/shmcount}
BENCH_BIN=${BENCH_BIN:-$repo/build/bench/shmcount_bench}
RESULTS_ROOT=${RESULTS_ROOT:-results}
# The sweep's own default for an axis, where it differs from shmcount's single default.
declare -A sweep_default=([pin]="none compact core scatter")

die() { echo "sweep: $*" >&2; exit 2; }
# count N WORD: "1 rank", "2 ranks".
count() { if [ "$1" -eq 1 ]; then echo "1 $2"; else echo "$1 ${2}s"; fi; }
# plural AXIS: the setting that lists the axis's values (kernel -> KERNELS, touch -> TOUCHES).
plural() {
  local n=${1^^}
  case "$n" in
    *S) echo "$n" ;;
    *CH | *SH | *X) echo "${n}ES" ;;
    *[!AEIOU]Y) echo "${n%Y}IES" ;;
    *) echo "${n}S" ;;
  esac
}
# Reads `shmcount --list axes` into axis_name, axis_flag, axis_default (same index).
read_axes() {
  axes_tsv=$("$SHMCOUNT" --list axes 2>&1) || die "$SHMCOUNT --list axes failed: $axes_tsv"
  axis_name=() axis_flag=() axis_default=()
  local name flag default _
  while IFS=$'\t' read -r name flag default _; do
    axis_name+=("$name") axis_flag+=("$flag") axis_default+=("$default")
  done < <(tail -n +2 <<<"$axes_tsv")
  [ ${#axis_name[@]} -gt 0 ] || die "$SHMCOUNT --list axes listed no axis"
}
usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  if [ -x "$SHMCOUNT" ]; then
    read_axes
    echo
    echo "Axes of $SHMCOUNT:"
    printf '  %-12s %-12s %s\n' setting option "default values"
    for i in "${!axis_name[@]}"; do
      printf '  %-12s %-12s %s\n' "$(plural "${axis_name[$i]}")" "${axis_flag[$i]}" \
        "${sweep_default[${axis_name[$i]}]:-${axis_default[$i]}}"
    done
  fi
}

for arg in "$@"; do
  case "$arg" in
    *=*) export "${arg?}" ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$arg' (settings are NAME=value; see --help)" ;;
  esac
done

# Open MPI refuses to run as root unless told; a sweep as root is common on lab machines.
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Leave to oversubscribe is given per point, never for all of them.
unset OMPI_MCA_rmaps_base_oversubscribe
[ -x "$SHMCOUNT" ] || die "$SHMCOUNT not found; run make first"
[ -x "$PY" ] || die "$PY not found (Debian's python3 shuffles the rounds)"
read_axes

pus=$(nproc)
if [ -z "${RANKS:-}" ]; then
  RANKS=""; for ((r = 1; r <= 2 * pus; r *= 2)); do RANKS+="$r "; done
fi
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-3}
WARMUP=${WARMUP:-1}
BENCH=${BENCH:-1}

# words SETTING LIST: the list's words, one space apart; refuses an empty list or a repeated word.
words() {
  local setting=$1 w out=() ; declare -A seen=()
  for w in $2; do
    [ -z "${seen[$w]:-}" ] || die "$setting lists '$w' twice"
    seen[$w]=1; out+=("$w")
  done
  [ ${#out[@]} -gt 0 ] || die "$setting must not be empty"
  echo "${out[*]}"
}
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1: '$2' is not a positive whole number"; }
RANKS=$(words RANKS "$RANKS") || exit 2
for r in $RANKS; do positive RANKS "$r"; done
positive ROUNDS "$ROUNDS"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP: '$WARMUP' is not a whole number"
[[ "$BENCH" =~ ^[01]$ ]] || die "BENCH: '$BENCH' is neither 0 nor 1"
[ -z "${SEED:-}" ] || [[ "$SEED" =~ ^[0-9]{1,18}$ ]] || die "SEED: '$SEED' is not a whole number"

# Each axis's values; an axis is passed to shmcount when it has several values or another one
# than shmcount's default.
axis_values=() passed=()
for i in "${!axis_name[@]}"; do
  name=${axis_name[$i]} setting=$(plural "${axis_name[$i]}")
  singular=${name^^}
  # The singular (SHARE=, TOUCH=, SIZE=) is the same setting under its other name.
  if [ "$singular" != "$setting" ] && [ -n "${!singular+x}" ]; then
    [ -z "${!setting+x}" ] || die "$singular and $setting name the same axis; give one of them"
    declare "$setting=${!singular}"
  fi
  values=${!setting:-${sweep_default[$name]:-${axis_default[$i]}}}
  [ -n "$values" ] || die "$setting: shmcount gives no default for --$name; set $setting"
  values=$(words "$setting" "$values") || exit 2
  axis_values+=("$values")
  if [ "$values" != "${axis_default[$i]}" ]; then passed+=("$i"); fi
done

settings="RANKS=$RANKS"
for i in "${passed[@]}"; do settings+=$'\n'"$(plural "${axis_name[$i]}")=${axis_values[$i]}"; done
settings+=$'\n'"ROUNDS=$ROUNDS"$'\n'"REPS=$REPS"$'\n'"WARMUP=$WARMUP"$'\n'"BENCH=$BENCH"
[ -n "${SEED:-}" ] && settings+=$'\n'"SEED=$SEED"
hash=$(echo "$settings" | sha1sum | cut -c1-8)
if [ -z "${SEED:-}" ]; then SEED=$((16#$hash)); settings+=$'\n'"SEED=$SEED"; fi

# The combinations of the passed axes' values, each as shmcount options and as a name part
# (values of the axes with several values). Every one is checked by shmcount's own parser
# before anything runs.
combos_args=("") combos_name=("") combos_vals=("")
for i in "${!axis_name[@]}"; do
  read -ra vs <<<"${axis_values[$i]}"
  next_args=() next_name=() next_vals=()
  for c in "${!combos_args[@]}"; do
    for v in "${vs[@]}"; do
      a=${combos_args[$c]} n=${combos_name[$c]}
      if [[ " ${passed[*]} " == *" $i "* ]]; then a+=" ${axis_flag[$i]} $v"; fi
      [ ${#vs[@]} -gt 1 ] && n+="${v//[^a-zA-Z0-9_.]/_}-"
      next_args+=("$a") next_name+=("$n") next_vals+=("${combos_vals[$c]} $v")
    done
  done
  combos_args=("${next_args[@]}") combos_name=("${next_name[@]}") combos_vals=("${next_vals[@]}")
done
for a in "${combos_args[@]}"; do
  # shellcheck disable=SC2086  # the options are words without spaces
  if ! msg=$("$SHMCOUNT" --plan --ranks 1 $a --reps "$REPS" --warmup "$WARMUP" 2>&1 >/dev/null)
  then
    die "bad settings: $(echo "${msg#shmcount: }" | head -1)"
  fi
done

# The points: every rank count with every combination.
point_name=() point_ranks=() point_args=() point_vals=()
declare -A taken=()
for c in "${!combos_args[@]}"; do
  for r in $RANKS; do
    n="${combos_name[$c]}np$r"
    [ -z "${taken[$n]:-}" ] || die "two points would both be named $n; choose values that differ in letters or digits"
    taken[$n]=1
    point_name+=("$n") point_ranks+=("$r") point_args+=("${combos_args[$c]}")
    point_vals+=("${combos_vals[$c]# }")
  done
done
npoints=${#point_name[@]}

NAME=${NAME:-sweep-$(hostname -s)-$hash}
set_dir="$RESULTS_ROOT/$NAME"
if [ -f "$set_dir/matrix.txt" ] && [ "$(cat "$set_dir/matrix.txt")" != "$settings" ]; then
  die "$set_dir holds a sweep with other settings; choose another NAME"
fi
mkdir -p "$set_dir/points" || die "cannot create $set_dir"
echo "$settings" >"$set_dir/matrix.txt"
echo "$axes_tsv" >"$set_dir/axes.tsv"
if [ ! -f "$set_dir/machine.csv" ]; then
  "$SHMCOUNT" --plan --ranks "$pus" --pin compact --format csv >"$set_dir/machine.csv.tmp" &&
    mv "$set_dir/machine.csv.tmp" "$set_dir/machine.csv"
fi
# Open MPI gives one slot per core; more ranks than that need --oversubscribe.
cores=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "core") c = i; next }
                 { print $c }' "$set_dir/machine.csv" | sort -u | wc -l)
[ "$cores" -gt 0 ] || die "$set_dir/machine.csv lists no core"

# The runs in the order they happen: round by round, each round a seeded shuffle of the points.
run_point=() run_round=() run_order=()
round=0
while read -r -a order; do
  round=$((round + 1))
  for j in "${!order[@]}"; do
    run_point+=("${order[$j]}") run_round+=("$round") run_order+=("$((j + 1))")
  done
done < <("$PY" -c 'import random, sys
seed, rounds, n = map(int, sys.argv[1:])
for r in range(1, rounds + 1):
    order = list(range(n))
    random.Random(f"{seed}:{r}").shuffle(order)
    print(*order)' "$SEED" "$ROUNDS" "$npoints")
total=${#run_point[@]}
[ "$total" -eq $((npoints * ROUNDS)) ] || die "could not draw the rounds' orders"

run_base() { echo "$set_dir/points/${point_name[${run_point[$1]}]}/r${run_round[$1]}"; }
declare -A status
for ((k = 0; k < total; k++)); do
  base=$(run_base "$k")
  [ -f "$base.status" ] || continue
  s=$(cat "$base.status")
  # A run counts as done only with its CSV.
  if [ "$s" != done ] || [ -f "$base.csv" ]; then status[$k]=$s; fi
done
csv_field() { local v=${1//\"/\"\"}; printf '"%s"' "$v"; }
manifest="$set_dir/manifest.csv"
write_manifest() {
  {
    printf 'round,order,point,ranks'
    printf ',%s' "${axis_name[@]}"
    echo ",status,csv"
    local k p v
    for ((k = 0; k < total; k++)); do
      p=${run_point[$k]}
      printf '%s,%s,%s,%s' "${run_round[$k]}" "${run_order[$k]}" "$(csv_field "${point_name[$p]}")" \
        "${point_ranks[$p]}"
      for v in ${point_vals[$p]}; do printf ',%s' "$(csv_field "$v")"; done
      printf ',%s,%s\n' "${status[$k]:-pending}" \
        "$(csv_field "points/${point_name[$p]}/r${run_round[$k]}.csv")"
    done
  } >"$manifest.tmp" && mv "$manifest.tmp" "$manifest"
}
write_manifest

echo "sweep: $(count "$npoints" point) x $(count "$ROUNDS" round) = $(count "$total" run) of" \
  "$(count "$REPS" repetition), seed $SEED, into $set_dir"
interrupted=0
trap 'interrupted=1' INT TERM
start=$SECONDS
done_now=0
failed=()
for ((k = 0; k < total; k++)); do
  p=${run_point[$k]}
  r=${point_ranks[$p]}
  base=$(run_base "$k")
  label="[$((k + 1))/$total] round ${run_round[$k]}: ${point_name[$p]} ($(count "$r" rank)${point_args[$p]:+,${point_args[$p]}})"
  if [ "${status[$k]:-}" = done ]; then
    echo "$label: done earlier, skipped"; continue
  fi
  mkdir -p "$(dirname "$base")"
  rm -f "$base".{csv,json,status}  # A failed run is run again from scratch.
  extra=()
  [ "$r" -gt "$cores" ] && extra+=(--oversubscribe)
  t0=$SECONDS
  # shellcheck disable=SC2086  # point_args are options without spaces
  mpirun -np "$r" "${extra[@]}" "$SHMCOUNT" ${point_args[$p]} --reps "$REPS" \
    --warmup "$WARMUP" --output "$base.csv" >"$base.log" 2>&1
  rc=$?
  if [ $interrupted -eq 1 ]; then
    rm -f "$base".{csv,json}
    status[$k]=pending; write_manifest
    echo "sweep: interrupted; finished runs kept in $set_dir; run the sweep again to resume"
    exit 130
  fi
  if [ $rc -eq 0 ]; then status[$k]=done; else status[$k]=failed; failed+=("$label (exit $rc)"); fi
  echo "${status[$k]}" >"$base.status"
  write_manifest
  done_now=$((done_now + 1))
  elapsed=$((SECONDS - start))
  left=$((elapsed * (total - k - 1) / done_now))
  printf '%s: %s in %ds; elapsed %ds, about %ds left\n' "$label" "${status[$k]}" \
    $((SECONDS - t0)) "$elapsed" "$left"
done

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

echo "sweep: result set $set_dir ($(count "$npoints" point), $(count "$ROUNDS" round))"
if [ ${#failed[@]} -gt 0 ]; then
  echo "sweep: $(count ${#failed[@]} run) failed (see the .log beside each CSV):" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
# Installed, the tools are called shmcount-*; in a clone, make runs them.
if [ -n "${SHMCOUNT_TOOL:-}" ]; then
  echo "next: shmcount-plots --results $set_dir"
else
  echo "next: make plots RESULTS=$set_dir"
fi
