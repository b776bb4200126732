#!/usr/bin/env bash
# tlsdump live-capture benchmark: replays a synthetic capture onto an interface
# (lo by default) with tcpreplay at rising rates while `tlsdump -i` captures and
# analyses it, and reports for each rate what was sent, what tlsdump saw,
# libpcap's drop count and tlsdump's CPU time. See bench/README.md ("Live
# capture"). Run as `make bench-live` or `bash bench/live.sh` from anywhere, as
# root (capturing and injecting on an interface need CAP_NET_RAW).
#
# Environment (all optional):
#   LIVE_RATES        rates in Mbit/s, 'top' for --topspeed (default "100 200 300 500 700 1000 top")
#   LIVE_PCAP         capture to replay (default bench/out/bench.pcap when present,
#                     else bench/out/live.pcap, generated with mkpcap.py)
#   LIVE_MBYTES       size of a generated bench/out/live.pcap in MB (default 100)
#   LIVE_CONCURRENCY  its interleaved connections (default 2000)
#   LIVE_LIMIT        replay only the first N packets at each rate (default: all)
#   LIVE_BUFFER_MIB   tlsdump -B (kernel capture buffer, MiB; default: tlsdump's own)
#   LIVE_TLSDUMP_ARGS more tlsdump options, split on spaces (e.g. '-s 4096')
#   LIVE_IFACE        interface (default lo; anything else puts the replay on a real wire)
#   LIVE_FILTER       tlsdump's BPF filter (default 'tcp': the replayed flows use many ports)
#   LIVE_SKIP_BUILD   1: use the existing release binary, do not run swift build
#   LIVE_INSTALL      0: never apt-get install tcpreplay
#   SWIFT             swift driver (default swift)
set -euo pipefail
# As `make build` (see the Makefile): the Swift runtime linked in.
RELEASE_FLAGS=${RELEASE_FLAGS:---static-swift-stdlib}

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
OUT=bench/out
RESULTS=$OUT/live.md
MKPCAP=../shared/bench/mkpcap.py

LIVE_RATES=${LIVE_RATES:-100 200 300 500 700 1000 top}
LIVE_MBYTES=${LIVE_MBYTES:-100}
LIVE_CONCURRENCY=${LIVE_CONCURRENCY:-2000}
LIVE_LIMIT=${LIVE_LIMIT:-}
LIVE_BUFFER_MIB=${LIVE_BUFFER_MIB:-}
LIVE_TLSDUMP_ARGS=${LIVE_TLSDUMP_ARGS:-}
LIVE_IFACE=${LIVE_IFACE:-lo}
LIVE_FILTER=${LIVE_FILTER:-tcp}
LIVE_SKIP_BUILD=${LIVE_SKIP_BUILD:-0}
LIVE_INSTALL=${LIVE_INSTALL:-1}
SWIFT=${SWIFT:-swift}

# How long to wait for tlsdump: to open the capture, to drain its buffer after
# the replay, to exit after SIGINT.
START_TIMEOUT=20
DRAIN_TIMEOUT=30
EXIT_TIMEOUT=20

say() { printf 'live: %s\n' "$*" >&2; }
die() { printf 'live: error: %s\n' "$*" >&2; exit 1; }

for r in $LIVE_RATES; do
    [[ $r == top || $r =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "LIVE_RATES: '$r' is neither a number of Mbit/s nor 'top'"
done
[[ -z $LIVE_LIMIT || $LIVE_LIMIT =~ ^[1-9][0-9]*$ ]] || die "LIVE_LIMIT must be a positive integer (got '$LIVE_LIMIT')"
[[ -z $LIVE_BUFFER_MIB || $LIVE_BUFFER_MIB =~ ^[1-9][0-9]*$ ]] || die "LIVE_BUFFER_MIB must be a positive integer (got '$LIVE_BUFFER_MIB')"
[[ $(id -u) == 0 ]] || say "not root: capturing and replaying on $LIVE_IFACE need CAP_NET_RAW and will likely fail"
[[ -d /sys/class/net/$LIVE_IFACE ]] || die "no interface '$LIVE_IFACE'"

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsdump-live.XXXXXX")

# Background processes of the current step, ended by id on any exit.
TIME_PID=""
TLSDUMP_PID=""
REPLAY_PID=""
cleanup() {
    local p
    for p in "$REPLAY_PID" "$TLSDUMP_PID" "$TIME_PID"; do
        [[ -n $p ]] && kill -KILL "$p" 2>/dev/null || true
    done
    for p in "$REPLAY_PID" "$TIME_PID"; do
        [[ -n $p ]] && wait "$p" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools -------------------------------------------------------------------

apt_install() {
    [[ $LIVE_INSTALL == 1 ]] || return 1
    command -v apt-get >/dev/null && [[ $(id -u) == 0 ]] || return 1
    say "installing $* with apt-get"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@")
    "${apt[@]}" >"$WORK/apt.log" 2>&1 && return 0
    apt-get update -qq >>"$WORK/apt.log" 2>&1 || true
    "${apt[@]}" >>"$WORK/apt.log" 2>&1 && return 0
    say "apt-get install $* failed: $(tail -n 1 "$WORK/apt.log")"
    return 1
}

command -v tcpreplay >/dev/null || apt_install tcpreplay || true
command -v tcpreplay >/dev/null || die "tcpreplay is needed (Debian package tcpreplay)"
[[ -x /usr/bin/time ]] || apt_install time || true
[[ -x /usr/bin/time ]] || die "/usr/bin/time (package 'time') is needed to measure tlsdump's CPU time"
command -v python3 >/dev/null || die "python3 is needed (mkpcap.py, reading the stats event)"

# --- capture -----------------------------------------------------------------

if [[ -n ${LIVE_PCAP:-} ]]; then
    PCAP=$LIVE_PCAP
    [[ -s $PCAP ]] || die "LIVE_PCAP=$PCAP does not exist or is empty"
elif [[ -s $OUT/bench.pcap ]]; then
    PCAP=$OUT/bench.pcap
    say "replaying $PCAP (made by bench/run.sh)"
else
    PCAP=$OUT/live.pcap
    [[ -f $MKPCAP ]] || die "$MKPCAP not found (expected beside the repository, at $(realpath -m "$MKPCAP"))"
    shopt -s nullglob
    TEMPLATES=(../shared/captures/zeek/*.pcap captures/*.pcap)
    shopt -u nullglob
    ((${#TEMPLATES[@]} > 0)) || die "no template captures in ../shared/captures/zeek/ or captures/"
    PARAMS="mbytes=$LIVE_MBYTES concurrency=$LIVE_CONCURRENCY templates=${#TEMPLATES[@]}"
    if [[ ! -s $PCAP || ! -f $PCAP.params || $(cat "$PCAP.params") != "$PARAMS" ]]; then
        say "generating $PCAP ($LIVE_MBYTES MB, $LIVE_CONCURRENCY concurrent flows, ${#TEMPLATES[@]} templates)"
        rm -f "$PCAP" "$PCAP.params"
        python3 "$MKPCAP" --out "$PCAP.tmp" --mbytes "$LIVE_MBYTES" --concurrency "$LIVE_CONCURRENCY" \
            "${TEMPLATES[@]}" >&2 || die "mkpcap.py failed"
        mv "$PCAP.tmp" "$PCAP"
        rm -f "$PCAP.tmp.manifest.json"
        printf '%s\n' "$PARAMS" >"$PCAP.params"
    else
        say "reusing $PCAP ($PARAMS)"
    fi
fi

# tcpreplay writes the frames as they are: on lo (an Ethernet-type device) they
# must be Ethernet frames, which mkpcap.py writes.
if command -v capinfos >/dev/null; then
    ENCAP=$(capinfos -E "$PCAP" 2>/dev/null | awk -F': *' '/encapsulation/ {print $2; exit}')
    [[ $ENCAP == Ethernet ]] || die "$PCAP is not Ethernet-framed (capinfos says '${ENCAP:-?}'); tcpreplay on $LIVE_IFACE needs Ethernet"
fi
FILE_BYTES=$(stat -c %s "$PCAP")

# --- tlsdump -----------------------------------------------------------------

if [[ $LIVE_SKIP_BUILD != 1 ]]; then
    # Other people may be mid-edit in Sources/: retry a failed build a few times.
    for attempt in 1 2 3 4 5; do
        say "building tlsdump (release), attempt $attempt"
        if "$SWIFT" build -c release --product tlsdump $RELEASE_FLAGS >"$WORK/build.log" 2>&1; then
            break
        fi
        grep -E 'error:' "$WORK/build.log" | head -n 5 >&2 || tail -n 5 "$WORK/build.log" >&2
        ((attempt < 5)) || die "swift build -c release --product tlsdump failed 5 times"
        sleep 60
    done
fi
TLSDUMP=$("$SWIFT" build -c release --show-bin-path)/tlsdump
[[ -x $TLSDUMP ]] || die "$TLSDUMP not found (build it, or unset LIVE_SKIP_BUILD)"

# Load the whole capture into memory before sending (-K), so the disk does not
# limit the rate, when it fits comfortably.
AVAILABLE_KIB=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
PRELOAD=()
if ((FILE_BYTES / 1024 * 3 < ${AVAILABLE_KIB:-0})); then PRELOAD=(--preload-pcap); fi

# other_captures: a line per packet socket open now (other tcpdump, tlsdump,
# tests), as "pid command"; they compete for CPU and see the replayed traffic.
other_captures() {
    local inodes inode fd
    inodes=$(awk 'NR > 1 {print $NF}' /proc/net/packet 2>/dev/null | sort -u)
    [[ -n $inodes ]] || return 0
    for fd in /proc/[0-9]*/fd/*; do
        inode=$(readlink "$fd" 2>/dev/null) || continue
        [[ $inode == socket:\[*\] ]] || continue
        inode=${inode#socket:[}; inode=${inode%]}
        if grep -qx "$inode" <<<"$inodes"; then
            fd=${fd#/proc/}; fd=${fd%%/*}
            echo "$fd $(tr '\0' ' ' <"/proc/$fd/cmdline" 2>/dev/null | cut -c1-80)"
        fi
    done | sort -u
}

# last_stats FILE: "packets dropped" from the last stats event in FILE (NDJSON).
last_stats() {
    python3 - "$1" <<'EOF'
import json, sys
last = None
with open(sys.argv[1], errors='replace') as f:
    for line in f:
        if '"stats"' not in line:
            continue
        try:
            e = json.loads(line)
        except ValueError:
            continue          # a line still being written
        if e.get('type') == 'stats':
            last = e
if last is None:
    print('? ?')
else:
    d = last.get('dropped')
    print(last.get('packets', '?'), '?' if d is None else d)
EOF
}

# wait_gone PID SECONDS: true when PID ended in time.
wait_gone() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

TLSDUMP_ARGS=(-i "$LIVE_IFACE" --format json --stats-interval 1)
[[ -n $LIVE_BUFFER_MIB ]] && TLSDUMP_ARGS+=(-B "$LIVE_BUFFER_MIB")
# shellcheck disable=SC2206
[[ -n $LIVE_TLSDUMP_ARGS ]] && TLSDUMP_ARGS+=($LIVE_TLSDUMP_ARGS)
REPLAY_LIMIT=()
[[ -n $LIVE_LIMIT ]] && REPLAY_LIMIT=(--limit "$LIVE_LIMIT")

# run_rate RATE: one replay; appends a row to ROWS (or a note to NOTES).
run_rate() {
    local rate=$1 events=$WORK/events.$1.json err=$WORK/tlsdump.$1.err times=$WORK/time.$1
    local replay_log=$WORK/replay.$1.log pidfile=$WORK/pid.$1 speed limit_s others i
    others=$(other_captures)
    if [[ -n $others ]]; then
        say "other packet sockets are open (they compete for CPU and see the replay):"
        sed 's/^/    /' <<<"$others" >&2
        NOTES+=("at $rate: other packet sockets open: $(tr '\n' ';' <<<"$others" | cut -c1-200)")
    fi

    # /usr/bin/time reports the CPU time; the shell it starts execs tlsdump
    # after writing its pid, so SIGINT goes to tlsdump itself.
    /usr/bin/time -f '%U %S %M' -o "$times" \
        bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" \
        "$TLSDUMP" "${TLSDUMP_ARGS[@]}" -o "$events" "$LIVE_FILTER" 2>"$err" &
    TIME_PID=$!
    TLSDUMP_PID=""
    for ((i = 0; i < START_TIMEOUT * 10; i++)); do
        [[ -z $TLSDUMP_PID && -s $pidfile ]] && TLSDUMP_PID=$(cat "$pidfile")
        grep -q 'listening on' "$err" 2>/dev/null && break
        kill -0 "$TIME_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q 'listening on' "$err" 2>/dev/null; then
        cat "$err" >&2
        die "tlsdump did not start capturing on $LIVE_IFACE within ${START_TIMEOUT}s"
    fi
    [[ -n $TLSDUMP_PID ]] || TLSDUMP_PID=$(cat "$pidfile")

    if [[ $rate == top ]]; then
        speed=(--topspeed); limit_s=300
        say "replaying at top speed"
    else
        speed=(--mbps "$rate")
        # Twice the nominal duration, plus the preload.
        limit_s=$(awk -v b="$FILE_BYTES" -v r="$rate" 'BEGIN {printf "%d", b * 8 / (r * 1e6) * 2 + 60}')
        say "replaying at $rate Mbit/s (at most ${limit_s}s)"
    fi
    local replay_rc=0
    timeout "$limit_s" tcpreplay -i "$LIVE_IFACE" "${speed[@]}" "${PRELOAD[@]}" "${REPLAY_LIMIT[@]}" \
        --no-flow-stats "$PCAP" >"$replay_log" 2>&1 &
    REPLAY_PID=$!
    wait "$REPLAY_PID" || replay_rc=$?
    REPLAY_PID=""

    # Let tlsdump drain the kernel buffer: stop once its packet count held
    # still across two stats intervals.
    local before="" now stable=0
    for ((i = 0; i < DRAIN_TIMEOUT; i++)); do
        sleep 1
        now=$(last_stats "$events")
        if [[ $now == "$before" ]]; then
            ((++stable >= 2)) && break
        else
            stable=0
        fi
        before=$now
    done
    kill -INT "$TLSDUMP_PID" 2>/dev/null || true
    if ! wait_gone "$TIME_PID" "$EXIT_TIMEOUT"; then
        kill -KILL "$TLSDUMP_PID" 2>/dev/null || true
        NOTES+=("at $rate: tlsdump did not exit within ${EXIT_TIMEOUT}s of SIGINT (killed)")
    fi
    local tlsdump_rc=0
    wait "$TIME_PID" || tlsdump_rc=$?
    TIME_PID="" TLSDUMP_PID=""

    if ((replay_rc != 0)); then
        NOTES+=("at $rate: tcpreplay failed (exit $replay_rc): $(grep -v -e '^Warning' -e 'Unsupported physical' "$replay_log" | grep -m1 -v '^[[:space:]]*$' | cut -c1-120)")
        say "tcpreplay failed at $rate (exit $replay_rc):"; tail -n 5 "$replay_log" >&2
        return 0
    fi
    # tlsdump exits 0 after SIGINT (2 when the capture could not go on).
    ((tlsdump_rc == 0)) || NOTES+=("at $rate: tlsdump exited with $tlsdump_rc: $(grep -v 'dropped' "$err" | tail -n 1 | cut -c1-120)")

    # tcpreplay: "Actual: N packets (B bytes) sent in S seconds" and
    #            "Rated: X Bps, Y Mbps, Z pps".
    local sent secs mbps pps seen dropped user sys rss
    read -r sent secs < <(awk '/^Actual:/ {print $2, $(NF - 1); exit}' "$replay_log") || true
    read -r mbps pps < <(awk '/^Rated:/ {gsub(",", ""); print $4, $6; exit}' "$replay_log") || true
    read -r seen dropped < <(last_stats "$events") || true
    read -r user sys rss < <(tail -n 1 "$times") || true
    ROWS+=("$rate|${mbps:-?}|${pps:-?}|${secs:-?}|${sent:-?}|$seen|$dropped|${user:-?}|${sys:-?}|${rss:-?}")
    say "  sent ${sent:-?} at ${mbps:-?} Mbit/s; tlsdump saw $seen, libpcap dropped $dropped; CPU ${user:-?}s user + ${sys:-?}s sys"
}

ROWS=()
NOTES=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cat "$PCAP" >/dev/null   # page cache
for rate in $LIVE_RATES; do
    run_rate "$rate"
    sleep 1
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------

{
    echo "# tlsdump live capture"
    echo
    echo "- replayed: \`$PCAP\`, $(awk -v b="$FILE_BYTES" 'BEGIN{printf "%.1f MB", b / 1e6}')${LIVE_LIMIT:+, first $LIVE_LIMIT packets}, onto \`$LIVE_IFACE\` with \`tcpreplay ${PRELOAD[*]} --mbps RATE\` (\`--topspeed\` for top)"
    echo "- capturing: \`tlsdump ${TLSDUMP_ARGS[*]} -o FILE '$LIVE_FILTER'\`, release build, stopped with SIGINT once its packet count held still"
    echo "- host: $(nproc) cores, $(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'); load average $LOAD_BEFORE before, $LOAD_AFTER after; $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- tlsdump: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- Sources 2>/dev/null || echo ' + uncommitted changes')"
    echo "- seen: \`packets\` of tlsdump's final stats event; lost = sent - seen; dropped: libpcap's count, which on lo also counts the outgoing copy of each packet that libpcap discards, so there it is about twice lost"
    echo
    echo "| rate asked | Mbit/s achieved | packets/s achieved | replay s | sent | seen by tlsdump | lost | libpcap dropped | tlsdump CPU s (user+sys) | CPU µs/packet seen | peak RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for r in "${ROWS[@]}"; do
        IFS='|' read -r rate mbps pps secs sent seen dropped user sys rss <<<"$r"
        awk -v rate="$rate" -v mbps="$mbps" -v pps="$pps" -v secs="$secs" -v sent="$sent" -v seen="$seen" \
            -v dropped="$dropped" -v user="$user" -v sys="$sys" -v rss="$rss" 'BEGIN {
            asked = (rate == "top") ? "top speed" : rate " Mbit/s"
            lost = (sent ~ /^[0-9]+$/ && seen ~ /^[0-9]+$/) ? sent - seen : "?"
            cpu = (user ~ /^[0-9.]+$/ && sys ~ /^[0-9.]+$/) ? user + sys : "?"
            per = (cpu != "?" && seen > 0) ? sprintf("%.1f", cpu * 1e6 / seen) : "?"
            printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n", asked, mbps, pps, secs, sent, seen, lost, dropped,
                (cpu == "?") ? "?" : sprintf("%.2f (%s+%s)", cpu, user, sys), per, (rss ~ /^[0-9]+$/) ? sprintf("%.0f", rss / 1024) : "?"
        }'
    done
    echo
    # The fastest achieved rate (top speed may come out below the last --mbps).
    best="" best_mbps=-1
    for r in "${ROWS[@]}"; do
        IFS='|' read -r rate mbps _ _ sent seen dropped _ <<<"$r"
        [[ $dropped == 0 && $sent == "$seen" && $mbps =~ ^[0-9.]+$ ]] || continue
        if awk -v a="$mbps" -v b="$best_mbps" 'BEGIN {exit !(a > b)}'; then best="$rate|$mbps" best_mbps=$mbps; fi
    done
    if [[ -n $best ]]; then
        IFS='|' read -r rate mbps <<<"$best"
        [[ $rate == top ]] && rate="top speed" || rate="$rate Mbit/s"
        echo "Highest rate with zero drops: **$rate** ($mbps Mbit/s achieved)."
    else
        echo "No rate ran without drops."
    fi
    if ((${#NOTES[@]})); then
        echo
        for n in "${NOTES[@]}"; do echo "- $n"; done
    fi
} >"$WORK/live.md"

cp "$WORK/live.md" "$RESULTS"
echo
cat "$RESULTS"
echo
say "written to $RESULTS"
