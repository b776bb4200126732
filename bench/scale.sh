#!/usr/bin/env bash
# tlsdump at growing concurrency: the same templates replayed with 100,
# 10,000 and 100,000 connections open at once. Throughput should stay flat
# (no linear scans) and peak memory should follow the open connections.
# Run as `make bench-scale` or `bash bench/scale.sh`.
#
# Environment (all optional):
#   SCALE_LEVELS       space-separated concurrency levels (default "100 10000 100000")
#   SCALE_MBYTES       capture size in MB for each level below 100,000 (default 300)
#   SCALE_BIG_MBYTES   capture size for levels >= 100,000 (default 1500: the
#                      templates' flows average ~14 KB, so 100,000 open
#                      connections need about that many bytes)
#   SCALE_THREADS      space-separated --threads values to time (default "1 2")
#   BENCH_SKIP_BUILD   1: use the existing release binary
set -euo pipefail
# As `make build` (see the Makefile): the Swift runtime linked in.
RELEASE_FLAGS=${RELEASE_FLAGS:---static-swift-stdlib}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
MKPCAP=../shared/bench/mkpcap.py
LEVELS=${SCALE_LEVELS:-"100 10000 100000"}
MBYTES=${SCALE_MBYTES:-300}
BIG_MBYTES=${SCALE_BIG_MBYTES:-1500}
THREADS=${SCALE_THREADS:-"1 2"}
RESULTS=$OUT/scale.md

say() { printf 'scale: %s\n' "$*" >&2; }
die() { printf 'scale: error: %s\n' "$*" >&2; exit 1; }
[[ -f $MKPCAP ]] || die "$MKPCAP not found"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (package 'time') is needed for peak RSS"
mkdir -p "$OUT"
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    say "building tlsdump (release)"
    swift build -c release --product tlsdump $RELEASE_FLAGS >/dev/null
fi
TLSDUMP=$(swift build -c release --show-bin-path)/tlsdump
shopt -s nullglob
TEMPLATES=(../shared/captures/zeek/*.pcap captures/*.pcap)
shopt -u nullglob

{
    echo "# tlsdump at growing concurrency"
    echo
    echo "- $(nproc) cores; $(date -u +%FT%TZ); tlsdump $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- each capture: the same templates replayed by ../shared/bench/mkpcap.py with that many connections open at once;"
    echo "- peak open = the final stats event's open_connections_peak: connections tracked at once, closed ones still"
    echo "  lingering included (with --threads 2 the workers' peaks added up: an upper bound)"
    echo "- memory per tracked connection <= (peak RSS - peak RSS at the lowest level) / (peak open - peak open there)"
    echo "  (an upper bound: it includes output buffers)"
    echo
    echo "| concurrency | capture MB | packets | TLS connections | threads | seconds | MB/s | packets/s | peak open | peak RSS MiB |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$RESULTS"

for level in $LEVELS; do
    size=$MBYTES
    ((level >= 100000)) && size=$BIG_MBYTES
    pcap=$OUT/scale-c$level.pcap
    if [[ ! -s $pcap ]]; then
        say "generating $pcap ($size MB, concurrency $level)"
        python3 "$MKPCAP" --out "$pcap" --mbytes "$size" --concurrency "$level" "${TEMPLATES[@]}" >&2
    fi
    cat "$pcap" >/dev/null
    bytes=$(stat -c %s "$pcap")
    for threads in $THREADS; do
        start=$EPOCHREALTIME
        /usr/bin/time -f %M -o "$OUT/.rss" "$TLSDUMP" -r "$pcap" --format json --threads "$threads" \
            --max-flows 262144 >"$OUT/.scale.json"
        end=$EPOCHREALTIME
        stats=$(tail -n 1 "$OUT/.scale.json")
        read -r packets tls peak < <(printf '%s' "$stats" | python3 -c 'import json,sys; s = json.load(sys.stdin)
print(s["packets"], s["tls_connections"], s.get("open_connections_peak", 0))')
        awk -v c="$level" -v b="$bytes" -v p="$packets" -v t="$tls" -v th="$threads" -v s="$start" -v e="$end" \
            -v pk="$peak" -v rss="$(tail -n 1 "$OUT/.rss")" 'BEGIN {
            secs = e - s
            printf "| %d | %.0f | %d | %d | %d | %.2f | %.1f | %.0f | %d | %.0f |\n", c, b / 1e6, p, t, th, secs, b / 1e6 / secs, p / secs, pk, rss / 1024
        }' | tee -a "$RESULTS" >&2
    done
done
rm -f "$OUT/.scale.json" "$OUT/.rss"
say "results in $RESULTS"
cat "$RESULTS"
