# The suite leaves nothing in the machine's /dev/shm: `dev_shm.sh before` records what is there
# before any test runs, `dev_shm.sh after` (once every test has run) fails on anything new that
# nothing holds. A file a live process has open or mapped belongs to a job still running beside
# the suite (a sweep on the same machine): it is waited for, and named if it stays, but only a
# file no process holds, twice in a row, is a leak (nobody would ever remove it).
state="${SHMCOUNT_BUILD_DIR:-.}/dev-shm-before.txt"
new_files() { find /dev/shm -mindepth 1 -maxdepth 1 | sort | comm -13 "$state" -; }
# held FILE: some process has FILE open or mapped.
held() {
  local fd
  grep -qsF -- " $1" /proc/[0-9]*/maps 2>/dev/null && return 0
  for fd in /proc/[0-9]*/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$1" ] && return 0
  done
  return 1
}
case "${1:-}" in
  before) find /dev/shm -mindepth 1 -maxdepth 1 | sort >"$state"; echo "recorded $(wc -l <"$state") file(s)" ;;
  after)
    declare -A unheld=()
    for ((i = 0; i < 60; i++)); do
      leaks=() busy=()
      while IFS= read -r f; do
        [ -n "$f" ] || continue
        if held "$f"; then
          busy+=("$f")
          unset "unheld[$f]"
        elif [ -n "${unheld[$f]:-}" ]; then
          [ -e "$f" ] && leaks+=("$f")
        else
          unheld[$f]=1
        fi
      done < <(new_files)
      # Done once every new file is a leak or gone; else look again in a second.
      [ "$(new_files | wc -l)" -eq "${#leaks[@]}" ] && break
      sleep 1
    done
    if [ "${#leaks[@]}" -gt 0 ]; then
      echo "FAIL: the tests left files in /dev/shm that no process holds:" >&2
      printf '%s\n' "${leaks[@]}" >&2
      exit 1
    fi
    for f in "${busy[@]}"; do echo "note: $f is new but held by a running process (another job?)"; done
    echo "ok: nothing new in /dev/shm that no process holds" ;;
  *) echo "usage: dev_shm.sh before|after" >&2; exit 2 ;;
esac
