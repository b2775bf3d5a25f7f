# Every example of --help and the man page runs as pasted on a machine of 2 cores: the commands
# are read from the rendered man page (so its quotes must survive roff), must be --help's too,
# and run through bash from a folder where ./libmykernel.so is a plugin kernel, without the
# leave to oversubscribe that the other tests have (an example with more ranks than cores says
# --oversubscribe itself). The docs' examples with more than 2 ranks say it too.
source "$(dirname "$0")/lib.sh"
man_dir=$1
plugin=$2
src=$SHMCOUNT_SOURCE_DIR
unset OMPI_MCA_rmaps_base_oversubscribe
if [ "$(nproc)" -lt 2 ]; then echo "skipped: the examples need 2 PUs, this has $(nproc)"; exit 77; fi
workdir
mkdir bin
ln -s "$SHMCOUNT" bin/shmcount
ln -s "$(command -v "$MPIEXEC")" bin/mpirun
cp "$plugin" libmykernel.so
help=$("$SHMCOUNT" --help | sed -n '/^Examples:/,/^$/p' | tr -s ' \n' ' ')
mapfile -t examples < <(MANWIDTH=400 man -l "$man_dir/shmcount.1" 2>/dev/null |
  sed -n '/^EXAMPLES/,/^SEE ALSO/p' | grep -E '^ {7}(mpirun|shmcount) ' | sed 's/^ *//')
check "the man page has examples (${#examples[@]})" [ "${#examples[@]}" -ge 10 ]
for example in "${examples[@]}"; do
  check "--help shows the man page's example: $example" grep -qF -- " $example " <<<"$help "
  PATH="$WORK/bin:$PATH" bash -c "$example" >job.out 2>job.err
  status=$?
  check "the example runs as pasted (exit $status): $example" [ "$status" -eq 0 ]
done
check "a quoted --topology kept its quotes in the man page" \
  grep -qF -- '--topology "pack:2 core:8 pu:2"' <<<"${examples[*]}"
for doc in "$src/README.md" "$src"/docs/*.md; do
  while IFS= read -r line; do
    ranks=$(sed -E 's/^mpirun -np ([0-9]+).*/\1/' <<<"$line")
    case "$line" in *--oversubscribe* | *--host* ) continue ;; esac
    check "$(basename "$doc")'s example runs on 2 cores or says --oversubscribe: $line" \
      [ "$ranks" -le 2 ]
  done < <(grep -E '^mpirun -np [0-9]+' "$doc")
done
finish
