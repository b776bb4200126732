#!/usr/bin/env bash
# tlsdump benchmark: wall time, throughput and peak memory on three synthetic
# captures side by side (handshake-dense, bulk transfer, QUIC handshakes), beside a raw
# libpcap read loop (the floor), ndpiReader (the reference peer), ssldump and
# tshark. See bench/README.md. Run as `make bench` or `bash bench/run.sh` from
# anywhere.
#
# Environment (all optional):
#   BENCH_FILES        comma-separated captures to measure: dense, bulk, bulkoff, quic (default all four)
#   BENCH_MBYTES       size asked of mkpcap.py for each capture, in MB (default 300)
#   BENCH_CONCURRENCY  connections interleaved at once in the dense capture (default 2000)
#   BENCH_BULK_CONCURRENCY  the same in the bulk capture (default 40)
#   BENCH_QUIC_CONCURRENCY  the same in the QUIC capture (default 2000)
#   BENCH_RUNS         timed runs of the raw loop, tlsdump and ndpiReader rows (default 3)
#   BENCH_SLOW_RUNS    timed runs of ssldump and tshark (default 1)
#   BENCH_ONLY         comma-separated row names to run, e.g. 'tlsdump json --threads 1,ndpiReader'
#                      (default: all rows; the raw loop always runs, it is the yardstick)
#   BENCH_SKIP_BUILD   1: use the existing release binary, do not run swift build
#   TLSDUMP            a tlsdump binary to measure instead (implies no build), e.g.
#                      .build-bench/release/tlsdump
#   BENCH_INSTALL      0: never apt-get install missing tools (default 1)
#   SWIFT              swift driver (default swift)
set -euo pipefail
# As `make build` (see the Makefile): the Swift runtime linked in.
RELEASE_FLAGS=${RELEASE_FLAGS:---static-swift-stdlib}

# A TLSDUMP given relative to the caller's directory, before the cd below.
if [[ -n ${TLSDUMP:-} ]]; then TLSDUMP=$(realpath -m -- "$TLSDUMP"); fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
OUT=bench/out
RESULTS=$OUT/results.md
MKPCAP=../shared/bench/mkpcap.py
MKBULK=../shared/bench/mkbulk.sh
DENSE_PCAP=$OUT/bench.pcap
BULK_PCAP=$OUT/bulk.pcap
BULK_TPL=$OUT/bulk-tpl.pcap
BULKOFF_PCAP=$OUT/bulk-offload.pcap
BULKOFF_TPL=$OUT/bulk-offload-tpl.pcap
MKQUIC=bench/mkquic.py
QUIC_PCAP=$OUT/quic.pcap
# QUIC templates (../shared/captures/quic/, real clients and servers): the
# captures whose QUIC flows are whole handshakes, client and server (copies
# share connection ids; each copy's first packet is a long header from a new
# address pair, which is a new connection: only 1-RTT packets migrate). Left
# out: the fuzz inputs, the client-only Initials, and
# quic_win11_firefox_google.pcap (a 434 kB download that would be most of the bytes).
QUIC_DIR=../shared/captures/quic
QUIC_TEMPLATES=(
    chromium-115.0.5790.110-api-cirrus-com.pcap
    curl-8.1.2-dev-http3-www-google-de.pcap
    quic-go-handshake.pcap
    merlinc2_Zeek_example.pcapng
    quicdoq.pcap
    chrome-cloudflare-quic-with-secrets.pcapng
    quicv2-echo-443.pcap
    quic-go-zerortt.pcap
    quic-39264-rand.pcap
    quic-decrypt-fail-google-de-51833.pcap
)

BENCH_FILES=${BENCH_FILES:-dense,bulk,bulkoff,quic}
BENCH_MBYTES=${BENCH_MBYTES:-300}
BENCH_CONCURRENCY=${BENCH_CONCURRENCY:-2000}
BENCH_BULK_CONCURRENCY=${BENCH_BULK_CONCURRENCY:-40}
BENCH_QUIC_CONCURRENCY=${BENCH_QUIC_CONCURRENCY:-2000}
BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_SLOW_RUNS=${BENCH_SLOW_RUNS:-1}
BENCH_ONLY=${BENCH_ONLY:-}
BENCH_SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
BENCH_INSTALL=${BENCH_INSTALL:-1}
SWIFT=${SWIFT:-swift}
TLSDUMP=${TLSDUMP:-}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for n in BENCH_RUNS BENCH_SLOW_RUNS BENCH_CONCURRENCY BENCH_BULK_CONCURRENCY BENCH_QUIC_CONCURRENCY; do
    [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive integer (got '${!n}')"
done
if ! [[ $BENCH_MBYTES =~ ^[0-9]+(\.[0-9]+)?$ ]] || ! awk -v m="$BENCH_MBYTES" 'BEGIN{exit !(m > 0)}'; then
    die "BENCH_MBYTES must be a positive number (got '$BENCH_MBYTES')"
fi

# Captures to measure, in order, without repeats.
FILE_KEYS=()
IFS=',' read -r -a wanted <<<"$BENCH_FILES"
for k in "${wanted[@]}"; do
    k=${k//[[:space:]]/}
    [[ -n $k ]] || continue
    case $k in
        dense | bulk | bulkoff | quic) ;;
        *) die "BENCH_FILES: unknown capture '$k' (known: dense, bulk, bulkoff, quic)" ;;
    esac
    if [[ " ${FILE_KEYS[*]} " != *" $k "* ]]; then FILE_KEYS+=("$k"); fi
done
((${#FILE_KEYS[@]} > 0)) || die "BENCH_FILES names no capture (known: dense, bulk, quic)"

# --- rows --------------------------------------------------------------------
# name | runs | command ($PCAP is the capture, $EVENTS the events file; stdout
# goes to /dev/null). Add rows here. A row whose command is rejected as a usage
# error on a tiny capture (an option the tool does not know yet) is skipped with
# a note, so a row for a planned option can sit here before the option exists.
ROWS=(
    "raw libpcap loop|$BENCH_RUNS|\"\$RAWREAD\" \"\$PCAP\""
    "raw libpcap loop with 1 MiB buffer|$BENCH_RUNS|\"\$RAWREAD\" \"\$PCAP\" 1048576"
    "raw mapped walk|$BENCH_RUNS|\"\$MAPREAD\" \"\$PCAP\""
    "tlsdump json --threads 1|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format json --threads 1 -o \"\$EVENTS\""
    "tlsdump json --threads 2|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format json --threads 2 -o \"\$EVENTS\""
    "tlsdump json default threads|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format json -o \"\$EVENTS\""
    "tlsdump json --type connection|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format json --type connection --threads 1 -o \"\$EVENTS\""
    "tlsdump text --threads 1|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --format text --threads 1 -o \"\$EVENTS\""
    "tlsdump --summary --threads 1|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --summary --threads 1 -o \"\$EVENTS\""
    "tlsdump --summary --threads 2|$BENCH_RUNS|\"\$TLSDUMP\" -r \"\$PCAP\" --summary --threads 2 -o \"\$EVENTS\""
    "ndpiReader|$BENCH_RUNS|ndpiReader -i \"\$PCAP\" -q"
    "ssldump -n|$BENCH_SLOW_RUNS|ssldump -n -r \"\$PCAP\""
    "tshark tls.handshake|$BENCH_SLOW_RUNS|tshark -r \"\$PCAP\" -Y tls.handshake -T fields -e tls.handshake.type"
)
PROBE_PCAP=captures/tls13.pcap

# BENCH_ONLY must name rows that exist (checked before any slow step).
ROW_NAMES=","
for row in "${ROWS[@]}"; do ROW_NAMES+="${row%%|*},"; done
IFS=',' read -r -a only <<<"$BENCH_ONLY"
for n in "${only[@]}"; do
    [[ -z $n || $ROW_NAMES == *",$n,"* ]] || die "BENCH_ONLY: no row named '$n' (rows: $(sed 's/^,//; s/,$//; s/,/, /g' <<<"$ROW_NAMES"))"
done

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsdump-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# tlsdump rows write their events here, as users do with -o (removed after each run).
EVENTS=$WORK/events.out

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
command -v python3 >/dev/null || die "python3 is needed to generate the captures"
command -v cc >/dev/null || die "a C compiler (cc) is needed for bench/rawread.c"

# --- captures ----------------------------------------------------------------
# Each generated file has a stamp file (FILE.params) with the parameters it was
# made with, so a different BENCH_MBYTES regenerates even though the old file
# is newer than every input.

[[ -f $MKPCAP ]] || die "$MKPCAP not found (expected beside the repository, at $(realpath -m "$MKPCAP"))"

# stale FILE PARAMS INPUT...: true when FILE is missing, was made with other
# parameters than PARAMS, or is older than one of the inputs.
stale() {
    local file=$1 params=$2 f
    shift 2
    [[ -s $file && -f $file.params && $(cat "$file.params") == "$params" ]] || return 0
    for f in "$@"; do
        if [[ $f -nt $file ]]; then return 0; fi
    done
    return 1
}

# mkpcap FILE PARAMS MBYTES CONCURRENCY TEMPLATE...: runs mkpcap.py (into
# FILE.tmp, renamed when complete) and writes FILE's stamp.
mkpcap() {
    local file=$1 params=$2 mbytes=$3 concurrency=$4
    shift 4
    rm -f "$file" "$file.params"
    python3 "$MKPCAP" --out "$file.tmp" --mbytes "$mbytes" --concurrency "$concurrency" "$@" >&2 \
        || die "mkpcap.py failed making $file"
    mv "$file.tmp" "$file" || die "cannot rename $file.tmp"
    if [[ -f $file.tmp.manifest.json ]]; then mv "$file.tmp.manifest.json" "$file.manifest.json"; fi
    printf '%s\n' "$params" >"$file.params" || die "cannot write $file.params"
}

declare -A FILE_PATH FILE_PARAMS FILE_DESC FILE_BYTES FILE_PACKETS
NOTES=()

# dense: real TLS flows from every template capture, thousands at once.
make_dense() {
    local templates
    shopt -s nullglob
    templates=(../shared/captures/zeek/*.pcap captures/*.pcap)
    shopt -u nullglob
    ((${#templates[@]} > 0)) || die "no template captures in ../shared/captures/zeek/ or captures/"
    FILE_PATH[dense]=$DENSE_PCAP
    FILE_PARAMS[dense]="mbytes=$BENCH_MBYTES concurrency=$BENCH_CONCURRENCY templates=${#templates[@]}"
    FILE_DESC[dense]="handshake-dense: the TLS flows of ${#templates[@]} template captures replayed under fresh addresses, $BENCH_CONCURRENCY at once"
    if stale "$DENSE_PCAP" "${FILE_PARAMS[dense]}" "$MKPCAP" "${templates[@]}"; then
        say "generating $DENSE_PCAP ($BENCH_MBYTES MB, $BENCH_CONCURRENCY concurrent flows, ${#templates[@]} templates)"
        mkpcap "$DENSE_PCAP" "${FILE_PARAMS[dense]}" "$BENCH_MBYTES" "$BENCH_CONCURRENCY" "${templates[@]}"
    else
        say "reusing $DENSE_PCAP (newer than its inputs; delete it to regenerate)"
    fi
}

# bulk: a few long downloads between real OpenSSL peers (mkbulk.sh records the
# template; it needs root). Returns 1 with NOTE set when it cannot be made.
make_bulk_kind() {   # KEY PCAP TEMPLATE OFFLOAD(0|1)
    local key=$1 pcap=$2 tpl=$3 offload=$4
    local tpl_params="connections_per_suite=$BULK_CONNS mbytes_per_connection=$BULK_MB offload=$offload"
    local inputs=("$MKPCAP") c missing=() size
    FILE_PATH[$key]=$pcap
    FILE_PARAMS[$key]="mbytes=$BENCH_MBYTES concurrency=$BENCH_BULK_CONCURRENCY $tpl_params"
    local how=""
    if ((offload)); then how=", recorded with segmentation offload on (about 23 KB packets, as a Linux host capture holds them)"; fi
    FILE_DESC[$key]="bulk transfer$how: $((4 * BULK_CONNS)) recorded downloads of $BULK_MB MB (TLS 1.3 AES-GCM and ChaCha20, TLS 1.2 AES-GCM and AES-CBC) replayed, $BENCH_BULK_CONCURRENCY at once"
    if [[ -f $tpl ]]; then inputs+=("$tpl"); fi
    if ! stale "$pcap" "${FILE_PARAMS[$key]}" "${inputs[@]}"; then
        say "reusing $pcap (newer than its inputs; delete it to regenerate)"
        return 0
    fi
    if stale "$tpl" "$tpl_params" "$MKBULK"; then
        [[ -f $MKBULK ]] || { NOTE="$MKBULK not found"; return 1; }
        [[ $(id -u) == 0 ]] || { NOTE="recording its template with mkbulk.sh needs root (network namespace, tcpdump)"; return 1; }
        for c in ip:iproute2 ethtool:ethtool openssl:openssl tcpdump:tcpdump; do
            need "${c%%:*}" "${c#*:}" || missing+=("${c%%:*}")
        done
        ((${#missing[@]} == 0)) || { NOTE="mkbulk.sh needs ${missing[*]} (not installed and could not be installed)"; return 1; }
        say "recording $tpl with mkbulk.sh ($BULK_CONNS connections per suite, $BULK_MB MB each)"
        rm -f "$tpl" "$tpl.params" "$tpl.tmp"
        if ! MKBULK_OFFLOAD=$offload bash "$MKBULK" "$tpl.tmp" "$BULK_CONNS" "$BULK_MB" >"$WORK/mkbulk.log" 2>&1; then
            rm -f "$tpl.tmp"
            NOTE="mkbulk.sh failed: $(grep -m1 -v '^[[:space:]]*$' "$WORK/mkbulk.log" | cut -c1-120)"
            return 1
        fi
        # Its downloads fail quietly (a peer that does not start); want at least half the bytes.
        size=$(stat -c %s "$tpl.tmp" 2>/dev/null || echo 0)
        if ((size < 4 * BULK_CONNS * BULK_MB * 500000)); then
            rm -f "$tpl.tmp"
            NOTE="mkbulk.sh recorded only $size bytes of the $((4 * BULK_CONNS * BULK_MB)) MB asked"
            return 1
        fi
        mv "$tpl.tmp" "$tpl" || die "cannot rename $tpl.tmp"
        printf '%s\n' "$tpl_params" >"$tpl.params" || die "cannot write $tpl.params"
    fi
    say "generating $pcap ($BENCH_MBYTES MB, $BENCH_BULK_CONCURRENCY concurrent flows, template $tpl)"
    mkpcap "$pcap" "${FILE_PARAMS[$key]}" "$BENCH_MBYTES" "$BENCH_BULK_CONCURRENCY" "$tpl"
}

make_bulk() { make_bulk_kind bulk "$BULK_PCAP" "$BULK_TPL" 0; }
# bulkoff: the same downloads recorded with segmentation offload left on.
make_bulkoff() { make_bulk_kind bulkoff "$BULKOFF_PCAP" "$BULKOFF_TPL" 1; }

# quic: real QUIC handshakes (mkquic.py: the UDP counterpart of mkpcap.py),
# thousands at once. Returns 1 with NOTE set when a template is missing.
make_quic() {
    local templates=() t
    for t in "${QUIC_TEMPLATES[@]}"; do
        [[ -f $QUIC_DIR/$t ]] || { NOTE="template $QUIC_DIR/$t not found"; return 1; }
        templates+=("$QUIC_DIR/$t")
    done
    FILE_PATH[quic]=$QUIC_PCAP
    FILE_PARAMS[quic]="mbytes=$BENCH_MBYTES concurrency=$BENCH_QUIC_CONCURRENCY templates=${#templates[@]}"
    FILE_DESC[quic]="QUIC handshakes: the QUIC flows of ${#templates[@]} template captures replayed from fresh client addresses, payload unchanged, $BENCH_QUIC_CONCURRENCY at once"
    if stale "$QUIC_PCAP" "${FILE_PARAMS[quic]}" "$MKQUIC" "${templates[@]}"; then
        say "generating $QUIC_PCAP ($BENCH_MBYTES MB, $BENCH_QUIC_CONCURRENCY concurrent flows, ${#templates[@]} templates)"
        MKPCAP=$MKQUIC mkpcap "$QUIC_PCAP" "${FILE_PARAMS[quic]}" "$BENCH_MBYTES" "$BENCH_QUIC_CONCURRENCY" "${templates[@]}"
    else
        say "reusing $QUIC_PCAP (newer than its inputs; delete it to regenerate)"
    fi
}

KEYS=()
for k in "${FILE_KEYS[@]}"; do
    NOTE=""
    if "make_$k"; then
        KEYS+=("$k")
    else
        say "skipping the $k capture: $NOTE"
        NOTES+=("$k capture: skipped, $NOTE")
    fi
done
((${#KEYS[@]} > 0)) || die "no capture to measure (${NOTES[*]})"
for k in "${KEYS[@]}"; do FILE_BYTES[$k]=$(stat -c %s "${FILE_PATH[$k]}"); done

# --- binaries ----------------------------------------------------------------

RAWREAD=$OUT/rawread
MAPREAD=$OUT/mapread
if [[ ! -x $MAPREAD || bench/mapread.c -nt $MAPREAD ]]; then
    say "compiling bench/mapread.c"
    cc -O2 -o "$MAPREAD" bench/mapread.c || die "cannot compile bench/mapread.c"
fi
if [[ ! -x $RAWREAD || bench/rawread.c -nt $RAWREAD ]]; then
    say "compiling bench/rawread.c"
    cc -O2 -o "$RAWREAD" bench/rawread.c -lpcap || die "cannot compile bench/rawread.c (is libpcap-dev installed? try 'make deps')"
fi

if [[ -n $TLSDUMP ]]; then
    # A binary given by the caller (e.g. built in a scratch path of its own): no build.
    say "measuring $TLSDUMP (TLSDUMP given: not building)"
elif [[ $BENCH_SKIP_BUILD != 1 ]]; then
    say "building tlsdump (release)"
    "$SWIFT" build -c release --product tlsdump $RELEASE_FLAGS >"$WORK/build.log" 2>&1 || {
        grep -E 'error:' "$WORK/build.log" | head -n 20 >&2 || tail -n 20 "$WORK/build.log" >&2
        die "swift build -c release --product tlsdump failed"
    }
fi
if [[ -n $TLSDUMP ]]; then
    :
elif [[ $BENCH_SKIP_BUILD == 1 && -x .build/release/tlsdump ]]; then
    # Without SwiftPM, which would wait for the lock of a build running beside.
    TLSDUMP=$REPO/.build/release/tlsdump
else
    TLSDUMP=$("$SWIFT" build -c release --show-bin-path)/tlsdump
fi
[[ -x $TLSDUMP ]] || die "$TLSDUMP not found (build it, or unset BENCH_SKIP_BUILD / TLSDUMP)"

# --- row checks -------------------------------------------------------------

# available NAME: whether the row's tool is installed (installing it if it can);
# sets NOTE otherwise.
available() {
    case $1 in
        ndpiReader*) need ndpiReader libndpi-bin || { NOTE="ndpiReader not installed and could not be installed (libndpi-bin)"; return 1; } ;;
        ssldump*) need ssldump ssldump || { NOTE="ssldump not installed and could not be installed"; return 1; } ;;
        tshark*) need tshark tshark || { NOTE="tshark not installed and could not be installed"; return 1; } ;;
    esac
    return 0
}

# rejects_usage CMD: true when CMD fails on a tiny capture with a usage error.
rejects_usage() {
    local PCAP=$PROBE_PCAP rc=0
    [[ -f $PCAP ]] || return 1
    eval "$1" >/dev/null 2>"$WORK/probe.err" || rc=$?
    rm -f "$EVENTS"
    ((rc != 0)) || return 1
    # 64 is EX_USAGE (swift-argument-parser); the text covers getopt-style tools.
    if ((rc == 64)) || grep -qiE 'unknown option|unrecognized option|invalid option|unexpected argument|usage:' "$WORK/probe.err"; then
        NOTE="rejects its options: $(grep -m1 -v '^[[:space:]]*$' "$WORK/probe.err" | cut -c1-100)"
        return 0
    fi
    return 1
}

# time_once CMD: runs CMD on the capture; sets SECS and RSS_KIB, or NOTE and
# returns 1 when CMD fails. (No subshell, so NOTE reaches the caller.)
time_once() {
    local start end rc=0
    start=$EPOCHREALTIME
    eval "/usr/bin/time -f %M -o \"\$WORK/rss\" $1" >/dev/null 2>"$WORK/stderr" || rc=$?
    end=$EPOCHREALTIME
    rm -f "$EVENTS"
    if ((rc != 0)); then
        NOTE="exit $rc: $(grep -v '^Command exited with' "$WORK/stderr" | grep -m1 -v '^[[:space:]]*$' | cut -c1-120)"
        return 1
    fi
    SECS=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}')
    RSS_KIB=$(tail -n 1 "$WORK/rss")
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Rows to time: selected by BENCH_ONLY, tool present, options accepted.
ACTIVE=()
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
    ACTIVE+=("$row")
done

declare -A RAW_SECONDS NDPI_SECONDS
FAILED=0
TABLE_ROWS=()
for key in "${KEYS[@]}"; do
    PCAP=${FILE_PATH[$key]}
    # Warm the page cache so every row reads the capture from memory.
    cat "$PCAP" >/dev/null
    for row in "${ACTIVE[@]}"; do
        IFS='|' read -r name runs cmd <<<"$row"
        say "$key: timing $name ($runs run(s))"
        : >"$WORK/times"
        peak=0
        ok=1
        for ((i = 1; i <= runs; i++)); do
            if ! time_once "$cmd"; then
                say "$key: $name FAILED: $NOTE"
                NOTES+=("$key capture, $name: FAILED, $NOTE")
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
        case $name in
            "raw libpcap loop")
                RAW_SECONDS[$key]=$secs
                FILE_PACKETS[$key]=$("$RAWREAD" "$PCAP" | awk '{print $1}')
                ;;
            ndpiReader) NDPI_SECONDS[$key]=$secs ;;
        esac
        TABLE_ROWS+=("$key|$name|$secs|$peak|$runs")
    done
    if [[ -z ${FILE_PACKETS[$key]:-} ]] && command -v capinfos >/dev/null; then
        FILE_PACKETS[$key]=$(capinfos -c -M "$PCAP" | awk -F: '/Number of packets/ {gsub(/ /, "", $2); print $2}')
    fi
done

# --- report ------------------------------------------------------------------

{
    echo "# tlsdump benchmark"
    echo
    echo "- host: $(nproc) cores, $(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'); $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- tlsdump: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- Sources 2>/dev/null || echo ' + uncommitted changes'), release build; tlsdump rows write their output to a file (\`-o\`)"
    echo "- median wall time of N runs; peak RSS is the largest of the runs"
    echo "- ratio to raw = raw libpcap loop seconds / row seconds; ratio to ndpiReader = ndpiReader seconds / row seconds (above 1: faster than ndpiReader)"
    for key in "${KEYS[@]}"; do
        echo
        echo "## $key: \`${FILE_PATH[$key]}\`"
        echo
        echo "$(awk -v b="${FILE_BYTES[$key]}" 'BEGIN{printf "%.1f MB", b / 1e6}'), ${FILE_PACKETS[$key]:-?} packets (${FILE_PARAMS[$key]}); ${FILE_DESC[$key]}."
        echo
        echo "| tool | runs | seconds (median) | MB/s | packets/s | peak RSS MiB | ratio to raw | ratio to ndpiReader |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|"
        for r in "${TABLE_ROWS[@]}"; do
            IFS='|' read -r k name secs peak runs <<<"$r"
            [[ $k == "$key" ]] || continue
            awk -v n="$name" -v s="$secs" -v k="$peak" -v r="$runs" -v b="${FILE_BYTES[$key]}" \
                -v p="${FILE_PACKETS[$key]:-0}" -v raw="${RAW_SECONDS[$key]:-0}" -v ndpi="${NDPI_SECONDS[$key]:-0}" '
                function ratio(ref, x) {
                    if (ref <= 0) return "-"
                    x = ref / s0
                    return (x >= 0.1) ? sprintf("%.2f", x) : sprintf("%.3f (1/%.0f)", x, 1 / x)
                }
                BEGIN {
                    s0 = (s > 0) ? s : 0.001
                    pps = (p > 0) ? sprintf("%.0f", p / s0) : "?"
                    printf "| %s | %d | %.2f | %.1f | %s | %.0f | %s | %s |\n", n, r, s, b / 1e6 / s0, pps, k / 1024, ratio(raw), ratio(ndpi)
                }'
        done
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
((FAILED == 0)) || die "at least one tool failed on a capture (see the notes above)"
