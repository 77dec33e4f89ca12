#!/usr/bin/env bash
# Builds the Debian package (CPack) from a configured build folder, installs it with dpkg -i,
# checks the installed rssflow as an operator meets it, then removes and purges it and checks
# what stays (README "Installing"). CI runs it as root on a fresh Debian 12 after
# scripts/test.sh (.ci/run). It changes the machine's package database, so it refuses to run
# unless root, and never touches a rssflow package it did not install; the rssflow user is
# deleted again when this script created it.
#
#   scripts/package_test.sh [BUILD_DIR]     (default build/, as scripts/setup.sh makes it)
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=$PWD
build_dir=$(realpath "${1:-build}")

fail() { echo "package_test: FAIL: $*" >&2; exit 1; }
step() { echo "package_test: $*" >&2; }

[[ $(id -u) -eq 0 ]] || { echo "package_test: needs root (dpkg -i); run it in CI or on a throwaway machine" >&2; exit 2; }
if dpkg-query -W -f='${Status}' rssflow 2>/dev/null | grep -q 'ok installed\|config-files'; then
  echo "package_test: a rssflow package is already on this machine; not touching it (dpkg --purge rssflow first)" >&2
  exit 2
fi
user_existed=0
getent passwd rssflow >/dev/null && user_existed=1
scratch=$(mktemp -d /tmp/rssflow-package-test.XXXXXX)
chmod 755 "$scratch"  # user rssflow writes into $scratch/out
installed=0
cleanup() {
  if ((installed)); then dpkg --purge rssflow >/dev/null 2>&1 || true; fi
  if ((!user_existed)) && getent passwd rssflow >/dev/null; then
    userdel rssflow 2>/dev/null || true
    getent group rssflow >/dev/null && groupdel rssflow 2>/dev/null || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

step "building the package in $build_dir"
cmake --build "$build_dir" --target rssflow -j"$(nproc)" >/dev/null
rm -f "$build_dir"/rssflow_*.deb
(cd "$build_dir" && cpack -G DEB >/dev/null)
version=$("$build_dir/rssflow" --version | awk '{print $2}')
deb="$build_dir/rssflow_${version}_$(dpkg --print-architecture).deb"
[[ -f $deb ]] || fail "no $deb"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] || fail "package version is not the project's ($version)"
stray=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -Ev '^\./(usr/(bin|share)|etc|lib/systemd/system)(/|$)|^\./(usr|lib|lib/systemd)?/?$' || true)
[[ -z $stray ]] || fail "files outside /usr/bin, /usr/share, /etc, /lib/systemd/system: $stray"
depends=$(dpkg-deb -f "$deb" Depends)
for library in libcurl4 libpqxx libtbb libre2 libpugixml libxxhash libcld2 passwd; do
  [[ $depends == *"$library"* ]] || fail "Depends lacks $library: $depends"
done

step "dpkg -i $(basename "$deb")"
installed=1
dpkg -i "$deb" >/dev/null
# PATH as a fresh login has it: an rssflow elsewhere (e.g. /usr/local/bin) must not stand in.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
[[ $(command -v rssflow) == /usr/bin/rssflow ]] || fail "rssflow is not /usr/bin/rssflow: $(type -a rssflow)"
[[ $(rssflow --version) == "rssflow $version" ]] || fail "rssflow --version: $(rssflow --version)"
[[ $(man -w rssflow) == /usr/share/man/man1/rssflow.1.gz ]] || fail "man -w rssflow: $(man -w rssflow 2>&1)"
man_text=$(MANWIDTH=120 man rssflow 2>/dev/null)
for section in "EXIT STATUS" ENVIRONMENT FILES RSSFLOW_CONFIG_DIR https_proxy "rssflow run" "rssflow sources"; do
  [[ $man_text == *"$section"* ]] || fail "the man page lacks $section"
done
[[ $man_text != *"$source_dir"* ]] || fail "the man page names the source tree $source_dir"

units=(/lib/systemd/system/rssflow.service /lib/systemd/system/rssflow.timer)
verify=$(systemd-analyze verify "${units[@]}" 2>&1) || fail "systemd-analyze verify: $verify"
[[ -z $verify ]] || fail "systemd-analyze verify warns: $verify"
exposure=$(systemd-analyze security --offline=yes "${units[0]}" 2>&1 | sed -n 's/.*Overall exposure level for rssflow.service: \([0-9.]*\).*/\1/p')
[[ -n $exposure ]] && (($(echo "$exposure <= 2.5" | bc))) || fail "systemd-analyze security: exposure '$exposure' > 2.5"
ls /etc/systemd/system/*.wants/rssflow* >/dev/null 2>&1 && fail "the package enabled a unit"
logrotate --debug --state "$scratch/logrotate.state" /etc/logrotate.d/rssflow >/dev/null 2>&1 || fail "logrotate rejects /etc/logrotate.d/rssflow"

[[ $(getent passwd rssflow | cut -d: -f6,7) == /var/lib/rssflow:/usr/sbin/nologin ]] || fail "user rssflow: $(getent passwd rssflow)"
for folder in /var/lib/rssflow /var/log/rssflow; do
  [[ $(stat -c '%U:%G %a' "$folder") == "rssflow:rssflow 750" ]] || fail "$folder: $(stat -c '%U:%G %a' "$folder")"
done
cmp -s /etc/rssflow/sources.opml /usr/share/rssflow/sources.opml || fail "/etc/rssflow/sources.opml is not the default list"

# The installed binary, as user rssflow from /, with a bare environment and (where the kernel
# lets us) the source tree hidden under an empty tmpfs: it must find its default dictionary and
# sources under /usr/share/rssflow.
install -d -o rssflow -g rssflow "$scratch/out"
cat > "$scratch/installed_run.sh" <<SCRIPT
set -eu
cd /
as_rssflow() { runuser -u rssflow -- env -i PATH=/usr/bin:/bin HOME=/var/lib/rssflow "\$@"; }
as_rssflow rssflow run --help > "$scratch/out/help.txt"
as_rssflow rssflow sources > "$scratch/out/sources.txt" 2> "$scratch/out/sources.err"
as_rssflow rssflow run --sources /usr/share/rssflow/snapshot/sources.opml --sink jsonl \
  --out "$scratch/out/articles.jsonl" --report "$scratch/out/report.json" \
  --lock-file "$scratch/out/run.lock" --quiet
SCRIPT
if unshare --mount --propagation private true 2>/dev/null; then
  step "installed run with $source_dir hidden"
  unshare --mount --propagation private sh -c \
    "mount -t tmpfs -o size=1m none '$source_dir' && test ! -e '$source_dir/config' && sh '$scratch/installed_run.sh'" \
    || fail "the installed rssflow failed with the source tree hidden"
else
  step "installed run (no mount namespace here: the source tree stays visible; outputs are checked for its path)"
  sh "$scratch/installed_run.sh" || fail "the installed rssflow failed"
fi
grep -q -- '--sources TEXT:FILE=/usr/share/rssflow/sources.opml' "$scratch/out/help.txt" || fail "run --help default: $(grep -- --sources "$scratch/out/help.txt")"
grep -q -- '--keywords TEXT:FILE=/usr/share/rssflow/keywords.tsv' "$scratch/out/help.txt" || fail "run --help lacks the installed dictionary"
grep -q '0 invalid (/usr/share/rssflow/sources.opml)' "$scratch/out/sources.err" || fail "rssflow sources: $(cat "$scratch/out/sources.err")"
[[ $(wc -l < "$scratch/out/sources.txt") -ge 40 ]] || fail "rssflow sources listed $(wc -l < "$scratch/out/sources.txt") sources"
records=$(wc -l < "$scratch/out/articles.jsonl")
tagged=$(grep -c '"keywords":\["' "$scratch/out/articles.jsonl" || true)
((records >= 100 && tagged >= 10)) || fail "snapshot run: $records records, $tagged with keywords"
! grep -rqF "$source_dir" "$scratch/out" || fail "an installed run's output names the source tree"
step "installed run: $records records, $tagged with keywords, defaults from /usr/share/rssflow"

# A copy of the binary alone finds nothing (and says where it looked), never the source tree;
# next to a share/rssflow it works: the install is relocatable.
mkdir -p "$scratch/copy/bin"
cp /usr/bin/rssflow "$scratch/copy/bin/"
status=0
(cd / && env -i "$scratch/copy/bin/rssflow" sources >/dev/null 2>"$scratch/copy.err") || status=$?
((status == 2)) && grep -qF "$scratch/copy/share/rssflow/sources.opml" "$scratch/copy.err" \
  || fail "a lone copy of the binary: status $status, $(cat "$scratch/copy.err")"
mkdir -p "$scratch/copy/share" && ln -s /usr/share/rssflow "$scratch/copy/share/rssflow"
(cd / && env -i "$scratch/copy/bin/rssflow" sources >/dev/null 2>&1) || fail "a relocated copy with share/rssflow failed"

step "dpkg -r rssflow"
dpkg -r rssflow >/dev/null
for gone in /usr/bin/rssflow /usr/share/rssflow /usr/share/man/man1/rssflow.1.gz "${units[@]}"; do
  [[ ! -e $gone ]] || fail "$gone is still there after dpkg -r"
done
for kept in /etc/rssflow/sources.opml /etc/logrotate.d/rssflow /var/lib/rssflow /var/log/rssflow; do
  [[ -e $kept ]] || fail "$kept went with dpkg -r (documented: kept until purge)"
done
getent passwd rssflow >/dev/null || fail "dpkg -r deleted the user"

step "dpkg --purge rssflow"
dpkg --purge rssflow >/dev/null
installed=0
for gone in /etc/rssflow /etc/logrotate.d/rssflow /var/lib/rssflow /var/log/rssflow; do
  [[ ! -e $gone ]] || fail "$gone is still there after purge"
done
getent passwd rssflow >/dev/null || fail "purge deleted the user (documented: the system user stays)"
step "OK: built, installed, checked, removed and purged rssflow $version"
