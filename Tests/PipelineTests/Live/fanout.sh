#!/usr/bin/env bash
# A capture replayed onto a veth pair while tlsdump captures the other end
# with PACKET_FANOUT (root).
#   fanout.sh TLSDUMP CAPTURE.pcap OUTDIR threads|group
# threads: one tlsdump with --threads 2 (two sockets in a group of its own);
# group: two tlsdump processes, --threads 1 each, in one --fanout-group.
# Writes OUTDIR/live-N.json (events) and OUTDIR/live-N.err; prints the frames sent.
set -euo pipefail
tlsdump=$1 capture=$2 out=$3 mode=$4
here=$(cd "$(dirname "$0")" && pwd)
a=tdfa$$ b=tdfb$$
cleanup() { for p in ${pids:-}; do kill -9 "$p" 2>/dev/null || true; done; ip link del "$a" 2>/dev/null || true; }
trap cleanup EXIT
ip link add "$a" type veth peer name "$b"
ip link set "$a" mtu 9000 up
ip link set "$b" mtu 9000 up
# No IPv6 autoconfiguration chatter on the pair.
sysctl -qw "net.ipv6.conf.$a.disable_ipv6=1" "net.ipv6.conf.$b.disable_ipv6=1" || true
pids=""
start() {   # start N ARGS...: tlsdump -i $b ... > live-N.json
    local n=$1; shift
    "$tlsdump" -i "$b" --format json -o "$out/live-$n.json" "$@" 'tcp or udp' 2>"$out/live-$n.err" &
    pids="$pids $!"
}
if [ "$mode" = threads ]; then
    start 1 --threads 2
else
    group=$(( ($$ % 60000) + 1000 ))
    start 1 --threads 1 --fanout-group "$group"
    start 2 --threads 1 --fanout-group "$group"
fi
for _ in $(seq 100); do
    ready=1
    for f in "$out"/live-*.err; do grep -q "listening on" "$f" || ready=0; done
    [ $ready = 1 ] && break
    sleep 0.1
done
python3 "$here/replay.py" "$a" "$capture"
sleep 1.5
for p in $pids; do kill -INT "$p"; done
for p in $pids; do wait "$p" || { echo "tlsdump $p exited $?" >&2; exit 1; }; done
pids=""
