#!/usr/bin/env bash
# tlsdump benchmark: wall time, throughput and peak memory on one synthetic
# capture, beside a raw libpcap read loop (the floor), ssldump and tshark.
# See bench/README.md. Run as `make bench` or `bash bench/run.sh` from anywhere.
#
# Environment (all optional):
#   BENCH_MBYTES       size of the generated capture in MB (default 300)
#   BENCH_CONCURRENCY  connections interleaved at once in it (default 2000)
#   BENCH_RUNS         timed runs of the raw loop and tlsdump rows (default 3)
#   BENCH_SLOW_RUNS    timed runs of ssldump and tshark (default 1)
#   BENCH_ONLY         comma-separated row names to run, e.g. 'tlsdump json,tlsdump text'
#                      (default: all rows; the raw loop always runs, it is the yardstick)
#   BENCH_SKIP_BUILD   1: use the existing release binary, do not run swift build
#   BENCH_INSTALL      0: never apt-get install missing tools (default 1)
#   SWIFT              swift driver (default swift)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
OUT=bench/out
PCAP=$OUT/bench.pcap
RESULTS=$OUT/results.md
MKPCAP=../shared/bench/mkpcap.py

BENCH_MBYTES=${BENCH_MBYTES:-300}
BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-2000}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_SLOW_RUNS=${BENCH_SLOW_RUNS:-1}
BENCH_ONLY=${BENCH_ONLY:-}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
BENCH_INSTALL=${BENCH_INSTALL:-1}
SWIFT=${SWIFT:-swift}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for n in BENCH_RUNS BENCH_SLOW_RUNS BENCH_CONCURRENCY; do
    [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive integer (got '${!n}')"
done
[[ $BENCH_MBYTES =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v m="$BENCH_MBYTES" 'BEGIN{exit !(m > 0)}' \
    || die "BENCH_MBYTES must be a positive number (got '$BENCH_MBYTES')"

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsdump-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- tools -------------------------------------------------------------------

APT_UPDATED=0
# apt_install PACKAGE...: best effort; returns non-zero when it could not.
apt_install() {
    [[ $BENCH_INSTALL == 1 ]] || return 1
    command -v apt-get >/dev/null || return 1
    [[ $(id -u) == 0 ]] || { say "not root, cannot apt-get install $*"; return 1; }
    say "installing $* with apt-get"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@")
    "${apt[@]}" >"$WORK/apt.log" 2>&1 && return 0
    if [[ $APT_UPDATED == 0 ]]; then
        APT_UPDATED=1
        apt-get update -qq >>"$WORK/apt.log" 2>&1 || true
        "${apt[@]}" >>"$WORK/apt.log" 2>&1 && return 0
    fi
    say "apt-get install $* failed: $(tail -n 1 "$WORK/apt.log")"
    return 1
}

# need COMMAND PACKAGE: true when COMMAND exists, installing PACKAGE if needed.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    apt_install "$2" && command -v "$1" >/dev/null 2>&1
}

[[ -x /usr/bin/time ]] || apt_install time || true
[[ -x /usr/bin/time ]] || die "/usr/bin/time (package 'time') is needed to measure peak RSS"
command -v python3 >/dev/null || die "python3 is needed to generate the capture"
command -v cc >/dev/null || die "a C compiler (cc) is needed for bench/rawread.c"

# --- capture -----------------------------------------------------------------

[[ -f $MKPCAP ]] || die "$MKPCAP not found (expected beside the repository, at $(realpath -m "$MKPCAP"))"
shopt -s nullglob
TEMPLATES=(../shared/captures/zeek/*.pcap captures/*.pcap)
shopt -u nullglob
((${#TEMPLATES[@]} > 0)) || die "no template captures in ../shared/captures/zeek/ or captures/"

# The parameters live in a stamp file, so a different BENCH_MBYTES regenerates
# even though the old capture is newer than every template.
PARAMS="mbytes=$BENCH_MBYTES concurrency=$BENCH_CONCURRENCY templates=${#TEMPLATES[@]}"
STAMP=$PCAP.params
stale=0
if [[ ! -s $PCAP || ! -f $STAMP || $(cat "$STAMP") != "$PARAMS" ]]; then
    stale=1
else
    for f in "$MKPCAP" "${TEMPLATES[@]}"; do
        if [[ $f -nt $PCAP ]]; then stale=1; break; fi
    done
fi
if ((stale)); then
    say "generating $PCAP ($BENCH_MBYTES MB, $BENCH_CONCURRENCY concurrent flows, ${#TEMPLATES[@]} templates)"
    rm -f "$PCAP" "$STAMP"
    python3 "$MKPCAP" --out "$PCAP.tmp" --mbytes "$BENCH_MBYTES" --concurrency "$BENCH_CONCURRENCY" \
        "${TEMPLATES[@]}" >&2 || die "mkpcap.py failed"
    mv "$PCAP.tmp" "$PCAP"
    if [[ -f $PCAP.tmp.manifest.json ]]; then mv "$PCAP.tmp.manifest.json" "$PCAP.manifest.json"; fi
    printf '%s\n' "$PARAMS" >"$STAMP"
else
    say "reusing $PCAP (newer than its inputs; delete it to regenerate)"
fi
FILE_BYTES=$(stat -c %s "$PCAP")

# --- binaries ----------------------------------------------------------------

RAWREAD=$OUT/rawread
if [[ ! -x $RAWREAD || bench/rawread.c -nt $RAWREAD ]]; then
    say "compiling bench/rawread.c"
    cc -O2 -o "$RAWREAD" bench/rawread.c -lpcap || die "cannot compile bench/rawread.c (is libpcap-dev installed? try 'make deps')"
fi

if [[ $BENCH_SKIP_BUILD != 1 ]]; then
    say "building tlsdump (release)"
    "$SWIFT" build -c release --product tlsdump >"$WORK/build.log" 2>&1 || {
        grep -E 'error:' "$WORK/build.log" | head -n 20 >&2 || tail -n 20 "$WORK/build.log" >&2
        die "swift build -c release --product tlsdump failed"
    }
fi
TLSDUMP=$("$SWIFT" build -c release --show-bin-path)/tlsdump
[[ -x $TLSDUMP ]] || die "$TLSDUMP not found (build it, or unset BENCH_SKIP_BUILD)"

HAVE_SSLDUMP=1; need ssldump ssldump || HAVE_SSLDUMP=0
HAVE_TSHARK=1; need tshark tshark || HAVE_TSHARK=0

# --- rows --------------------------------------------------------------------
# name | runs | command ($PCAP is the capture; stdout goes to /dev/null).
# Add rows here. A row whose command is rejected as a usage error on a tiny
# capture (an option the tool does not know yet) is skipped with a note, so a
# row for a planned option can sit here before the option exists.
ROWS=(
    "raw libpcap loop|$BENCH_RUNS|\"\$RAWREAD\" \"\$PCAP\""
    "tlsdump json --threads 1|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format json --threads 1"
    "tlsdump text --threads 1|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format text --threads 1"
    "tlsdump json --threads 2|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format json --threads 2"
    "ssldump -n|$BENCH_SLOW_RUNS|ssldump -n -r \"\$PCAP\""
    "tshark tls.handshake|$BENCH_SLOW_RUNS|tshark -r \"\$PCAP\" -Y tls.handshake -T fields -e tls.handshake.type"
)
PROBE_PCAP=captures/tls13.pcap

# available NAME: whether the row's tool is installed; sets NOTE otherwise.
available() {
    case $1 in
        ssldump*) ((HAVE_SSLDUMP)) || { NOTE="ssldump not installed and could not be installed"; return 1; } ;;
        tshark*) ((HAVE_TSHARK)) || { NOTE="tshark not installed and could not be installed"; return 1; } ;;
    esac
    return 0
}

# rejects_usage CMD: true when CMD fails on a tiny capture with a usage error.
rejects_usage() {
    local PCAP=$PROBE_PCAP rc=0
    [[ -f $PCAP ]] || return 1
    eval "$1" >/dev/null 2>"$WORK/probe.err" || rc=$?
    ((rc != 0)) || return 1
    # 64 is EX_USAGE (swift-argument-parser); the text covers getopt-style tools.
    if ((rc == 64)) || grep -qiE 'unknown option|unrecognized option|invalid option|unexpected argument|usage:' "$WORK/probe.err"; then
        NOTE="rejects its options: $(grep -m1 -v '^[[:space:]]*$' "$WORK/probe.err" | cut -c1-100)"
        return 0
    fi
    return 1
}

# time_once CMD: runs CMD on the bench capture; sets SECS and RSS_KIB, or NOTE
# and returns 1 when CMD fails. (No subshell, so NOTE reaches the caller.)
time_once() {
    local start end rc=0
    start=$EPOCHREALTIME
    eval "/usr/bin/time -f %M -o \"\$WORK/rss\" $1" >/dev/null 2>"$WORK/stderr" || rc=$?
    end=$EPOCHREALTIME
    if ((rc != 0)); then
        NOTE="exit $rc: $(grep -v '^Command exited with' "$WORK/stderr" | grep -m1 -v '^[[:space:]]*$' | cut -c1-120)"
        return 1
    fi
    SECS=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}')
    RSS_KIB=$(tail -n 1 "$WORK/rss")
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Warm the page cache so every row reads the capture from memory.
cat "$PCAP" >/dev/null

PACKETS=""
RAW_SECONDS=""
FAILED=0
TABLE_ROWS=()
NOTES=()
for row in "${ROWS[@]}"; do
    IFS='|' read -r name runs cmd <<<"$row"
    if [[ -n $BENCH_ONLY && ",$BENCH_ONLY," != *",$name,"* && $name != raw* ]]; then
        continue
    fi
    NOTE=""
    if ! available "$name" || rejects_usage "$cmd"; then
        say "skipping $name: $NOTE"
        NOTES+=("$name: skipped, $NOTE")
        continue
    fi
    say "timing $name ($runs run(s))"
    : >"$WORK/times"
    peak=0
    ok=1
    for ((i = 1; i <= runs; i++)); do
        if ! time_once "$cmd"; then
            say "$name FAILED: $NOTE"
            NOTES+=("$name: FAILED, $NOTE")
            FAILED=1
            ok=0
            break
        fi
        say "  run $i: ${SECS}s, $((RSS_KIB / 1024)) MiB"
        echo "$SECS" >>"$WORK/times"
        if ((RSS_KIB > peak)); then peak=$RSS_KIB; fi
    done
    ((ok)) || continue
    secs=$(median <"$WORK/times")
    if [[ $name == raw* ]]; then
        RAW_SECONDS=$secs
        PACKETS=$("$RAWREAD" "$PCAP" | awk '{print $1}')
    fi
    TABLE_ROWS+=("$name|$secs|$peak|$runs")
done

if [[ -z $PACKETS ]] && command -v capinfos >/dev/null; then
    PACKETS=$(capinfos -c -M "$PCAP" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
fi

# --- report ------------------------------------------------------------------

{
    echo "# tlsdump benchmark"
    echo
    echo "- capture: \`$PCAP\`, $(awk -v b="$FILE_BYTES" 'BEGIN{printf "%.1f MB", b / 1e6}'), ${PACKETS:-?} packets ($PARAMS)"
    echo "- host: $(nproc) cores, $(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'); $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- tlsdump: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- Sources 2>/dev/null || echo ' + uncommitted changes'), release build"
    echo "- median wall time of N runs; peak RSS is the largest of the runs; ratio = throughput / raw libpcap loop throughput"
    echo
    echo "| tool | runs | seconds (median) | MB/s | packets/s | peak RSS MiB | ratio to raw |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for r in "${TABLE_ROWS[@]}"; do
        IFS='|' read -r name secs peak runs <<<"$r"
        awk -v n="$name" -v s="$secs" -v k="$peak" -v r="$runs" -v b="$FILE_BYTES" -v p="${PACKETS:-0}" -v raw="${RAW_SECONDS:-0}" 'BEGIN {
            s0 = (s > 0) ? s : 0.001
            pps = (p > 0) ? sprintf("%.0f", p / s0) : "?"
            ratio = (raw > 0) ? raw / s0 : 0
            rtext = (raw > 0) ? ((ratio >= 0.1) ? sprintf("%.2f", ratio) : sprintf("%.3f (1/%.0f)", ratio, 1 / ratio)) : "?"
            printf "| %s | %d | %.2f | %.1f | %s | %.0f | %s |\n", n, r, s, b / 1e6 / s0, pps, k / 1024, rtext
        }'
    done
    if ((${#NOTES[@]})); then
        echo
        for n in "${NOTES[@]}"; do echo "- $n"; done
    fi
} >"$WORK/results.md"

cp "$WORK/results.md" "$RESULTS"
echo
cat "$RESULTS"
echo
say "written to $RESULTS"
((FAILED == 0)) || die "at least one tool failed on the capture (see the notes above)"
