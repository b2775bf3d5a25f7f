# Installed as a tool: the .deb that `make package` builds installs with apt-get on this machine,
# its dependencies declared; from an empty folder the installed shmcount runs under mpirun and a
# two-point sweep and its plots land in that folder, never in the install tree; removing the
# package leaves nothing of it. Usage: package.sh BUILD_DIR
source "$(dirname "$0")/lib.sh"
build=$1
[ "$(id -u)" -eq 0 ] || { echo "skipped: installing a package needs root"; exit 77; }
command -v cpack >/dev/null && command -v apt-get >/dev/null ||
  { echo "skipped: needs cpack and apt-get"; exit 77; }
if dpkg-query -W -f='${Status}' shmcount 2>/dev/null | grep -q 'install ok installed'; then
  echo "skipped: a shmcount package is already installed here; this test does not touch it"
  exit 77
fi
workdir
trap 'apt-get -o DPkg::Lock::Timeout=300 remove -y -qq shmcount >/dev/null 2>&1; cleanup_workdir' EXIT

mkdir pkg empty
cpack -G DEB -B "$WORK/pkg" --config "$build/CPackConfig.cmake" >pkg/cpack.log 2>&1
check "cpack builds a .deb" ls pkg/shmcount_*.deb
deb=$(ls "$WORK"/pkg/shmcount_*.deb | head -1)
check "the package declares its launcher, Python parts and libraries" \
  bash -c "dpkg-deb -f '$deb' Depends | grep -q 'openmpi-bin' &&
           dpkg-deb -f '$deb' Depends | grep -q 'python3-scipy' &&
           dpkg-deb -f '$deb' Depends | grep -q 'libhwloc'"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$deb" >install.log 2>&1
check "apt-get installs it" [ $? -eq 0 ]
files=$(dpkg -L shmcount | while read -r f; do [ -f "$f" ] && echo "$f"; done)
check "it installs shmcount and its tools in /usr/bin" \
  bash -c "for t in shmcount shmcount-sweep shmcount-plots shmcount-compare shmcount-seed \
             shmcount-calibrate shmcount-latency-set shmcount-numa-vm shmcount-study; do
             [ -x /usr/bin/\$t ] || exit 1; done"

/usr/bin/shmcount-numa-vm --topology memory-tiers --show >numa-vm.out 2>&1
check "the installed shmcount-numa-vm finds its package (--show)" \
  grep -q "node 2: no CPUs, 256 MiB" numa-vm.out

cd empty || exit 1
/usr/bin/shmcount-study PLAN_ONLY=1 >study.out 2>&1
check "the installed study plans with the installed shmcount, naming the installed sweep" \
  bash -c "[ $? -eq 0 ] && grep -q '^study: the sweep: shmcount-sweep ' study.out"
timeout 120 "$MPIEXEC" -np 2 /usr/bin/shmcount --reps 2 >run.out 2>run.err
check "the installed shmcount runs under mpirun" [ $? -eq 0 ]
check "its results go to the current folder" [ "$(ls results/shmcount-*.csv | wc -l)" -eq 1 ]
/usr/bin/shmcount-sweep RANKS="1 2" PINS=core ROUNDS=1 REPS=2 BENCH=0 NAME=two >sweep.out 2>&1
check "the installed sweep names the installed plots tool next" grep -q 'next: shmcount-plots --results' sweep.out
check "the installed sweep runs two points" \
  [ "$(csv_column results/two/manifest.csv status | tr '\n' ' ')" = "done done " ]
/usr/bin/shmcount-plots --results results/two >plots.out 2>&1
check "the installed plots write figures and a report here" \
  bash -c "[ -s plots/two/REPORT.md ] && ls plots/two/*.png >/dev/null"
/usr/bin/shmcount-compare results/two/points/core-np1/r1.csv results/two/points/core-np2/r1.csv \
  >compare.out 2>&1
check "the installed compare answers" grep -q 'np1\|ranks\|ratio' compare.out
MPIRUN="$MPIEXEC" /usr/bin/shmcount-latency-set --runs 1 --name maps -- --samples 6 \
  --round-trips 100 --rounds 1 >latency-set.out 2>&1
check "the installed latency-set makes a set of maps here" \
  bash -c "[ $? -eq 0 ] && grep -q ',done,' results/maps/manifest.csv"
check "... and says its installed name in --help" \
  bash -c "/usr/bin/shmcount-latency-set --help | grep -q '^Usage: shmcount-latency-set'"
/usr/bin/shmcount-sweep --help >help.out 2>&1
check "the tools have --help, calling themselves by their names" \
  bash -c "grep -q Settings help.out && grep -q '^Usage: shmcount-sweep ' help.out"
check "the installed plots tool calls itself by its name" \
  bash -c "/usr/bin/shmcount-plots --help | grep -q '^usage: shmcount-plots'"
cd "$WORK" || exit 1
extra=$(find /usr/share/shmcount /usr/libexec/shmcount | sort | comm -23 - <(dpkg -L shmcount | sort))
check "nothing was written into the install tree ($extra)" [ -z "$extra" ]

apt-get -o DPkg::Lock::Timeout=300 remove -y -qq shmcount >remove.log 2>&1
check "apt-get removes it" [ $? -eq 0 ]
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done)
check "nothing of it is left ($left)" [ -z "$left" ]
check "no folder of it is left" bash -c "[ ! -e /usr/share/shmcount ] && [ ! -e /usr/libexec/shmcount ]"
finish
