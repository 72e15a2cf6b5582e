#!/bin/bash
# Indexes a corpus inside a memory cgroup (v1) capped at LIMIT_MB, to show
# the build fits in that much memory whatever RSS `wait4` reports (RSS also
# counts the segment files mapped during merges, which the kernel reclaims
# under pressure). Samples the process's anonymous and file-backed RSS.
#
# Usage (as root, on a machine with /sys/fs/cgroup/memory):
#   bash benches/index_in_cgroup.sh CORPUS_DIR INDEX_DIR [LIMIT_MB]
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 CORPUS_DIR INDEX_DIR [LIMIT_MB]" >&2
  exit 2
fi
corpus=$1 index=$2 limit_mb=${3:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release/imr-search
cg=/sys/fs/cgroup/memory/imr-search-bench
if [ ! -d /sys/fs/cgroup/memory ]; then
  echo "error: no cgroup v1 memory controller at /sys/fs/cgroup/memory" >&2
  exit 2
fi
[ -x "$bin" ] || (cd "$root" && cargo build --release --quiet --bin imr-search)
mkdir -p "$cg"
echo $((limit_mb * 1024 * 1024)) > "$cg/memory.limit_in_bytes"
echo 0 > "$cg/memory.max_usage_in_bytes"
rm -rf "$index"
bash -c "echo \$\$ > $cg/cgroup.procs; exec /usr/bin/time -f '%e s wall, %U s user, %S s sys, wait4 peak RSS %M KB' $bin index $corpus --index $index --quiet" &
pid=$!
max_anon=0 max_file=0
while kill -0 "$pid" 2>/dev/null; do
  for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do
    [ "$(cat /proc/"$p"/comm 2>/dev/null)" = imr-search ] || continue
    a=$(awk '/^RssAnon/{print $2}' /proc/"$p"/status 2>/dev/null || true)
    f=$(awk '/^RssFile/{print $2}' /proc/"$p"/status 2>/dev/null || true)
    [ -n "$a" ] && [ "$a" -gt "$max_anon" ] && max_anon=$a
    [ -n "$f" ] && [ "$f" -gt "$max_file" ] && max_file=$f
  done
  sleep 0.2
done
status=0
wait "$pid" || status=$?
echo "exit status $status (limit ${limit_mb} MB)"
echo "peak anonymous RSS $((max_anon / 1024)) MB, peak file-backed RSS $((max_file / 1024)) MB (sampled every 0.2 s)"
echo "index: $(du -sh "$index" | cut -f1)"
exit "$status"
