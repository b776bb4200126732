#!/usr/bin/env bash
# Regenerates Tests/PipelineTests/Fixtures/oracle-out-of-order/: the shared
# oracle (../shared/oracle/make-oracle.py, tshark) for every shared capture,
# with one preference changed: tcp.reassemble_out_of_order:TRUE. tshark's
# default leaves out-of-order and hole-filling retransmitted segments out of
# TCP reassembly; with it on, tshark and tlsdump agree on those connections.
# Needs tshark (apt-get install tshark).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
out=Tests/PipelineTests/Fixtures/oracle-out-of-order
script=$(mktemp --suffix=.py)
trap 'rm -f "$script"' EXIT
sed "s/'-o', 'tcp.desegment_tcp_streams:TRUE',/'-o', 'tcp.desegment_tcp_streams:TRUE', '-o', 'tcp.reassemble_out_of_order:TRUE',/" \
    "$shared/oracle/make-oracle.py" > "$script"
grep -q reassemble_out_of_order "$script" || { echo "make-oracle.py changed: preference not inserted" >&2; exit 1; }
for oracle in "$shared"/captures/*/*.oracle.json; do
    rel=${oracle#"$shared"/captures/}
    mkdir -p "$out/$(dirname "$rel")"
    python3 "$script" "${oracle%.oracle.json}" > "$out/$rel"
done
python3 tools/oracle-opaque-records.py --out-of-order > "$out/opaque-records.json"
echo "wrote $(ls "$out"/*/*.oracle.json | wc -l) oracle files to $out"
