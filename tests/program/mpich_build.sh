# Builds shmcount against MPICH for the mpich_* tests, in the folder next to the Open MPI build
# (what `make MPI=mpich` uses), kept between runs. Skipped, saying why, without MPICH.
# Usage: mpich_build.sh SOURCE_DIR BUILD_DIR WERROR
set -u
source_dir=$1 build_dir=$2 werror=$3

for tool in mpicxx.mpich mpiexec.mpich; do
  if ! command -v $tool >/dev/null; then
    rm -f "$build_dir/shmcount"  # No stale binary for the mpich_* tests to run.
    echo "skipped: no $tool (apt-get install mpich libmpich-dev; scripts/setup.sh does)"
    exit 77
  fi
done
mkdir -p "$build_dir"
if [ ! -f "$build_dir/Makefile" ]; then
  cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSHMCOUNT_MPI=mpich \
    -DSHMCOUNT_WERROR="$werror" -DSHMCOUNT_BUILD_BENCH=OFF >"$build_dir/configure.log" 2>&1 ||
    { cat "$build_dir/configure.log"; echo "FAIL: configuring $build_dir for MPICH" >&2; exit 1; }
fi
# Only the program: the unit tests do not depend on the MPI.
cmake --build "$build_dir" --target shmcount -j "$(nproc)" >"$build_dir/build.log" 2>&1 ||
  { tail -50 "$build_dir/build.log"; echo "FAIL: building shmcount against MPICH" >&2; exit 1; }
if ! ldd "$build_dir/shmcount" | grep -q libmpich; then
  echo "FAIL: $build_dir/shmcount is not linked with MPICH: $(ldd "$build_dir/shmcount")" >&2
  exit 1
fi
echo "ok: $build_dir/shmcount built against MPICH ($(command -v mpicxx.mpich))"
