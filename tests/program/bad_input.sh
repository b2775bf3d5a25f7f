# Bad input: one clear message, a non-zero exit of the whole job, nothing left behind, and earlier
# results untouched.
source "$(dirname "$0")/lib.sh"
isolate "$@"
workdir
mkdir -p out ro
mount -t tmpfs -o ro,size=1m tmpfs ro
echo "earlier,result" >out/old.csv
before=$(sha256sum out/old.csv)

# expect_refused DESCRIPTION PATTERN ARGS...: PATTERN must be in the one message (3 ranks, or NP).
expect_refused() {
  local what=$1 pattern=$2; shift 2
  job "${NP:-3}" "$@"
  if [ "$rc" -eq 0 ]; then fail "$what: exit 0"; return; fi
  [ "$(messages)" -eq 1 ] || { fail "$what: $(messages) messages, want 1"; cat job.err >&2; return; }
  grep -q -- "$pattern" job.err || { fail "$what: no '$pattern' in: $(cat job.err)"; return; }
  grep -q 'MPI_ABORT' job.err && { fail "$what: MPI_Abort banner"; return; }
  [ "$(ls -A out | tr '\n' ' ')" = "old.csv " ] || { fail "$what: left $(ls -A out)"; return; }
  [ ! -e results ] || { fail "$what: created results/"; return; }
  no_segments || { fail "$what: segment left: $(segments)"; return; }
  pass "$what"
}

expect_refused "unknown option" "unknown option '--bogus'" --bogus
expect_refused "missing value" "--reps needs a value" --reps
expect_refused "non-numeric size" "--size 'lots': expected a whole number" --size lots
expect_refused "zero size" "--size '0'" --size 0
expect_refused "negative size" "--size '-1'" --size -1
expect_refused "overflowing size" "expected a whole number" --size 99999999999999999999999
expect_refused "size past the limit" "from 1 to" --size 17179869185
expect_refused "size past the machine's memory" "more than 80%" --size 17179869184
expect_refused "zero values" "--values '0'" --values 0
expect_refused "too many values" "--values '99999999'" --values 99999999
expect_refused "zero reps" "--reps '0'" --reps 0
NP=24 expect_refused "more records than one gather carries" "use at most --reps" --reps 1000000
expect_refused "unknown kernel" "unknown kernel; use one of naive" --kernel turbo
expect_refused "unknown pattern" "use seed or random" --pattern zigzag
expect_refused "seed without random" "--seed only works with --pattern random" --seed 4
expect_refused "unknown strategy" "unknown strategy" --pin wherever
expect_refused "list with junk" "'x' is not a logical PU" --pin list:0,x
expect_refused "list with duplicates" "listed twice" --pin list:0,0,1
expect_refused "list reversed" "reversed" --pin list:1-0
expect_refused "list out of range" "PU L#64 is not on this node" --pin list:0,1,64
expect_refused "list too short" "names 2 PU(s) but the node has 3 ranks" --pin list:0,1
expect_refused "topology without --plan" "only works with --plan" --topology "pack:2 pu:2"
expect_refused "output in a missing folder" "does not exist" --output out/missing/r.csv
expect_refused "output in a read-only folder" "read-only\|not writable\|EROFS" --output ro/r.csv
expect_refused "output that exists" "never overwrites" --output out/old.csv
expect_refused "empty output" "the path is empty" --output ""
expect_refused "very long argument" "expected a whole number" --reps "$(printf '9%.0s' $(seq 5000))"
expect_refused "very long unknown option" "unknown option" "--$(printf 'x%.0s' $(seq 5000))"

# A size the kernel's limits refuse, for real: lower SHMMAX in this IPC namespace.
sysctl -q -w kernel.shmmax=100000
expect_refused "size above SHMMAX" "kernel.shmmax is 100000" --size 200000
sysctl -q -w kernel.shmmax=18446744073692774399
sysctl -q -w kernel.shmmni=0
expect_refused "no segment ids left (SHMMNI)" "not disk space" --size 1000
sysctl -q -w kernel.shmmni=4096

check "earlier result untouched" [ "$(sha256sum out/old.csv)" = "$before" ]
finish
