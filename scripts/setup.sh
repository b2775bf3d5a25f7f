#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for shmcount: installs the packages it needs, builds it
# (Release) and installs the shmcount binary into /usr/local/bin so `mpirun ... shmcount` works.
# Run as root (or with sudo). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git          # toolchain
  libopenmpi-dev openmpi-bin                    # MPI
  libhwloc-dev hwloc                            # topology and binding
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and microbenchmarks
  python3-matplotlib python3-numpy python3-scipy  # make plots, make compare (/usr/bin/python3)
  clang libclang-rt-14-dev                      # libFuzzer target over the option parser
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

make build
if [ "$(id -u)" -eq 0 ]; then
  cmake --install build --prefix /usr/local >/dev/null
  echo "setup: installed $(command -v shmcount)"
else
  echo "setup: not root, so shmcount stays at build/shmcount (run: sudo cmake --install build)"
fi
