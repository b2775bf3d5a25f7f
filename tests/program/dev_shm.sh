# The suite leaves nothing in the machine's /dev/shm: `dev_shm.sh before` records what is there
# before any test runs, `dev_shm.sh after` (once every test has run) fails on anything new.
state="${SHMCOUNT_BUILD_DIR:-.}/dev-shm-before.txt"
case "${1:-}" in
  before) find /dev/shm -mindepth 1 -maxdepth 1 | sort >"$state"; echo "recorded $(wc -l <"$state") file(s)" ;;
  after)
    new=$(find /dev/shm -mindepth 1 -maxdepth 1 | sort | comm -13 "$state" -)
    if [ -n "$new" ]; then
      echo "FAIL: the tests left files in /dev/shm:" >&2
      echo "$new" >&2
      exit 1
    fi
    echo "ok: nothing new in /dev/shm" ;;
  *) echo "usage: dev_shm.sh before|after" >&2; exit 2 ;;
esac
