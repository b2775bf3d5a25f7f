# man shmcount is generated from the same tables as --help: every option, run parameter, kernel,
# strategy, mechanism and counts mode is in it, and it renders without a warning; every installed
# tool has a page too, from its own --help.
source "$(dirname "$0")/lib.sh"
man_dir=$1
page=$man_dir/shmcount.1
for tool in sweep plots compare calibrate seed; do
  tool_page=$man_dir/shmcount-$tool.1
  check "shmcount-$tool has a page" [ -s "$tool_page" ]
  warnings=$(groff -man -ww -z "$tool_page" 2>&1)
  check "shmcount-$tool's page renders without warnings${warnings:+: $warnings}" [ -z "$warnings" ]
done
check "the manual page was built ($page)" [ -s "$page" ]
warnings=$(groff -man -ww -z "$page" 2>&1)
check "it renders without warnings${warnings:+: $warnings}" [ -z "$warnings" ]
text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
for flag in $("$SHMCOUNT" --help | grep -o '^  --[a-z-]*'); do
  check "the manual documents $flag" grep -q -- "$flag" <<<"$text"
done
for list in kernels strategies; do
  for name in $("$SHMCOUNT" --list "$list" | tail -n +2 | cut -f1); do
    check "the manual documents the $list entry $name" grep -qwF -- "$name" <<<"$text"
  done
done
for name in $("$SHMCOUNT" --list axes | awk -F'\t' '$1 == "counts" || $1 == "share" { print $4 }'); do
  check "the manual documents $name" grep -qw -- "$name" <<<"$text"
done
finish
