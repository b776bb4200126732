#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS_PER_TARGET (default 60).
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET ...]
# Environment: FUZZ_JOBS=N targets at once (default 1); FUZZ_NO_BUILD=1 skips the build;
# FUZZ_SCRATCH=DIR builds and works in DIR instead of .build-fuzz (a smoke run beside a campaign).
# Seeds: Fuzz/corpus/<target>/ (Fuzz/make-corpus.py makes them from the captures);
# new inputs go to $FUZZ_SCRATCH/corpus/<target>/, crashes to $FUZZ_SCRATCH/artifacts/<target>/.
# Executions per run are added to $FUZZ_SCRATCH/executions.tsv (date, target, seconds, runs, status).
# Exit status: 0 when no target crashed, 1 otherwise.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_TARGET=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
ALL_TARGETS=(FuzzPacketDecoder FuzzReassembler FuzzRecordStream FuzzPreamble FuzzHandshake FuzzSSLv2 FuzzX509 FuzzKeyLog FuzzRecordDecryption FuzzPipeline FuzzPcapngSecrets FuzzQUICPacket FuzzQUICCrypto FuzzCompressedCapture FuzzMappedCapture FuzzECH FuzzOCSP FuzzChainValidation FuzzCompressedCertificate)
TARGETS=("${@:-${ALL_TARGETS[@]}}")
JOBS=${FUZZ_JOBS:-1}
SCRATCH=${FUZZ_SCRATCH:-$ROOT/.build-fuzz}
BIN="$SCRATCH/release"

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
    # (gold warns about an ASan symbol on every link: noise, filtered.)
    swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address --scratch-path "$SCRATCH" \
        2>&1 | grep -v "Cannot export local symbol '__asan_extra_spill_area'"
    [ "${PIPESTATUS[0]}" = 0 ] || { echo "fuzz build failed" >&2; exit 1; }
fi
if [ ! -d Fuzz/corpus ]; then
    python3 Fuzz/make-corpus.py || echo "warning: no seed corpus (needs tshark and editcap)" >&2
fi

# Longest input per target: big enough for its seeds' structure, small enough to keep runs fast.
max_len() {
    case $1 in
        FuzzPipeline|FuzzCompressedCapture) echo 65560 ;;
        FuzzRecordStream|FuzzHandshake|FuzzPreamble|FuzzChainValidation) echo 16400 ;;
        FuzzSSLv2) echo 4096 ;;
        *) echo 8192 ;;
    esac
}

run_target() {
    local target=$1
    local work="$SCRATCH/corpus/$target" artifacts="$SCRATCH/artifacts/$target/" log="$SCRATCH/logs/$target.log"
    mkdir -p "$work" "$artifacts" "$(dirname "$log")" "Fuzz/corpus/$target"
    # Leaks are not crashes here (the runtime's caches look like leaks); growth is caught by -rss_limit_mb.
    ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    "$BIN/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
        -artifact_prefix="$artifacts" -print_final_stats=1 "$work" "Fuzz/corpus/$target" >"$log" 2>&1
    local status=$?
    local runs
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$target" "$SECONDS_PER_TARGET" "${runs:-0}" "$status" >> "$SCRATCH/executions.tsv"
    if [ "$status" = 0 ]; then
        echo "$target: ok, ${runs:-0} executions in ${SECONDS_PER_TARGET}s"
    else
        echo "$target: FAILED (status $status) after ${runs:-0} executions; see $log and $artifacts"
        grep -m3 -E 'ERROR|Fatal error|fuzz invariant' "$log" | sed 's/^/    /'
    fi
    return $status
}

failed=0
running=0
for target in "${TARGETS[@]}"; do
    [ -x "$BIN/$target" ] || { echo "$target: not built" >&2; failed=1; continue; }
    run_target "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done

if [ -f "$SCRATCH/executions.tsv" ]; then
    echo "total executions so far (all runs):"
    awk -F'\t' '{ total[$2] += $4 } END { for (t in total) printf "  %-20s %d\n", t, total[t] }' "$SCRATCH/executions.tsv" | sort
fi
exit $failed
