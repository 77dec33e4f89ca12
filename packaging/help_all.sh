#!/bin/sh
# The program help2man reads to write rssflow(1): `--version` is rssflow's; `--help` is the
# top-level help followed by every subcommand's, so the man page lists each command's options
# and stays in step with the binary. RSSFLOW_HELP_BINARY names the rssflow executable.
set -eu
binary=${RSSFLOW_HELP_BINARY:?RSSFLOW_HELP_BINARY must name the rssflow executable}
case "${1:-}" in
  --version) exec "$binary" --version ;;
  --help) ;;
  *) echo "usage: $0 --help|--version" >&2; exit 2 ;;
esac
"$binary" --help | sed 1d  # the summary line: the man page's NAME says it
for command in $("$binary" --help | sed -n '/^Subcommands:/,$p' | sed 1d | awk 'NF {print $1}'); do
  # help2man makes a "Heading:" line directly followed by indented "-x" lines a subsection of
  # options: the heading is the command's usage line; the summary (listed above), the repeated
  # --help line, blank lines and the "Options:" labels go.
  echo
  "$binary" "$command" --help | sed -e 1d -e '/^ *-h,--help /d' -e '/^$/d' -e '/^\(Options\|Positionals\):$/d' \
    -e 's/^Usage: \(.*\)$/\1:/'
done
