#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for shmcount: installs the packages it needs, builds it
# (Release) and installs the shmcount binary into /usr/local/bin so `mpirun ... shmcount` works.
# Run as root (or with sudo). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git          # toolchain
  libopenmpi-dev openmpi-bin                    # MPI: Open MPI, the default build
  libmpich-dev mpich                            # MPI: MPICH, build-mpich/ and the mpich_* tests
  slurm-wlm slurm-client munge slurm-wlm-basic-plugins  # a real Slurm for the slurm test
  libhwloc-dev hwloc                            # topology and binding
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and microbenchmarks
  python3-matplotlib python3-numpy python3-scipy  # make plots, make compare (/usr/bin/python3)
  clang libclang-rt-14-dev clang-format         # libFuzzer target; the format test
  qemu-system-x86 linux-image-amd64 busybox-static numactl  # the multi-NUMA guest (NUMA tier)
  likwid                                        # likwid-pin: the likwid_pin test's reference
  util-linux procps time                        # unshare, ipcs, sysctl, /usr/bin/time for tests
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# With MPICH beside Open MPI, Debian's alternatives rank Open MPI first (priority 50 against 40):
# mpicxx, mpirun and mpiexec stay Open MPI's. Put them back where they were switched by hand, so
# the default build and its tests use Open MPI (MPICH is always named: mpicxx.mpich, ...).
multiarch=$(gcc -print-multiarch)
for alternative in mpi:/usr/bin/mpicc.openmpi mpirun:/usr/bin/mpirun.openmpi \
    "mpi-$multiarch:/usr/lib/$multiarch/openmpi/include"; do
  name=${alternative%%:*} want=${alternative#*:}
  now=$(update-alternatives --query "$name" 2>/dev/null | sed -n 's/^Value: //p' || true)

  if [ -n "$now" ] && [ "$now" != "$want" ]; then
    echo "setup: alternative $name is $now; setting it to $want"
    update-alternatives --set "$name" "$want"
  fi
done

make build
if [ "$(id -u)" -eq 0 ]; then
  cmake --install build --prefix /usr/local >/dev/null
  echo "setup: installed $(command -v shmcount)"
else
  echo "setup: not root, so shmcount stays at build/shmcount (run: sudo cmake --install build)"
fi
