#!/usr/bin/env bash
# Repeated latency maps of one configuration as a result set, which make plots reads with the run
# as the unit (a pair's latency: the median of its runs' medians, with an interval over runs).
#
# Usage: scripts/latency_set.sh [--runs R] [--gap S] [--name NAME] [--shmcount BINARY]
#                               [-- OPTIONS...]
#   R runs (default 5) of `mpirun -np 2 shmcount --latency OPTIONS`, S seconds apart (default 0:
#   one after the other; the host may move a VM's vCPUs in minutes, not seconds), into
#   results/NAME/ (default latency-<host>-<UTC time>): points/latency/r<run>.{csv,json,log} and
#   manifest.csv (the schema of scripts/analysis/manifest.py, no axes). A run that fails is
#   marked failed, its log kept, and the others go on; the exit status is then 1. An existing
#   NAME is refused: results are never overwritten. Bad arguments: exit 2, nothing created.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=5
name=""
shmcount="${SHMCOUNT:-$here/../build/shmcount}"
gap=0
# The usage above, naming this tool as it was called (shmcount-latency-set when installed).
help_text() {
  sed -n '5,12s/^# \{0,1\}//p' "$0" | sed "s|scripts/latency_set.sh|${SHMCOUNT_TOOL:-$0}|"
}
usage() { help_text >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) help_text; exit 0 ;;
    --runs) runs=${2:-}; shift 2 || usage ;;
    --gap) gap=${2:-}; shift 2 || usage ;;
    --name) name=${2:-}; shift 2 || usage ;;
    --shmcount) shmcount=${2:-}; shift 2 || usage ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
if ! [[ "$runs" =~ ^[1-9][0-9]{0,3}$ ]]; then
  echo "latency_set: --runs '$runs': expected a whole number from 1 to 9999" >&2; exit 2
fi
if ! [[ "$gap" =~ ^[0-9]{1,5}$ ]]; then
  echo "latency_set: --gap '$gap': expected whole seconds from 0 to 99999" >&2; exit 2
fi
[ -x "$shmcount" ] || { echo "latency_set: no shmcount binary at $shmcount (build it, or give --shmcount)" >&2; exit 2; }
name=${name:-latency-$(hostname)-$(date -u +%Y%m%dT%H%M%SZ)}
if [[ "$name" == */* || "$name" == .* || -z "$name" ]]; then
  echo "latency_set: --name '$name': a folder name under results/, without '/'" >&2; exit 2
fi
# The options, checked by shmcount's own parser before anything is created.
"$shmcount" --plan --latency "$@" >/dev/null || exit 2
set_dir="results/$name"
if [ -e "$set_dir" ]; then
  echo "latency_set: $set_dir exists; results are never overwritten: give another --name" >&2
  exit 2
fi
mkdir -p "$set_dir/points/latency" || exit 2
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

manifest="$set_dir/manifest.csv"
echo "round,order,point,ranks,copy,reference,status,csv" >"$manifest.tmp"
failed=0
for r in $(seq "$runs"); do
  [ "$r" -gt 1 ] && sleep "$gap"
  out="points/latency/r$r"
  if "${MPIRUN:-mpirun}" -np 2 "$shmcount" --latency "$@" --quiet --output "$set_dir/$out.csv" \
      >"$set_dir/$out.log" 2>&1; then
    status=done
  else
    status=failed
    failed=$((failed + 1))
  fi
  echo "$r,1,latency,2,1,no,$status,$out.csv" >>"$manifest.tmp"
  echo "[$r/$runs] $status: $set_dir/$out.csv"
done
mv "$manifest.tmp" "$manifest"
echo "latency_set: $runs run(s) in $set_dir ($failed failed); draw them with: make plots RESULTS=$set_dir"
[ "$failed" -eq 0 ]
