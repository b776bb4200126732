#!/usr/bin/env bash
# Drives ONE conversation between real OpenSSL peers on 127.0.0.1:PORT, step
# by step, without capturing it: LiveCaptureTests captures it with
# `tlsdump -i lo`. Derived from Tests/PipelineTests/Peers/scenario.sh (same
# command lines; each step waits until a peer logged the previous one).
#
#   peers.sh NAME PORT WORKDIR
#
# NAME: plain-tls12   TLS 1.2 handshake (AES128-SHA), one request and response
#       iis-tls10     TLS 1.0, request, server renegotiation asking for a client
#                     certificate (s_server command R), response
#       hold-tls12    like plain-tls12, but the connection stays open after the
#                     request until the file WORKDIR/release exists (or the time
#                     limit passes): a connection still open when capture stops
#       bulk-tls12    like plain-tls12, but the client first sends PEERS_BULK_CHUNKS
#                     (default 30) lines of 100,000 bytes, 20 ms apart: a connection
#                     of some MB (MultiFileInputTests spans a capture rotation with it)
# Exit status: 0 ok, 1 the conversation failed, 2 usage, 3 openssl missing.
set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 NAME PORT WORKDIR" >&2; exit 2; }
NAME=$1 PORT=$2 OUT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
PKI=$(cd "$HERE/../../.." && pwd)/captures/pki
TIME_LIMIT=${PEERS_TIMEOUT:-20}
mkdir -p "$OUT"
command -v openssl >/dev/null || { echo "peers.sh: openssl not found (Debian package openssl)" >&2; exit 3; }
[[ -r $PKI/ca.pem ]] || { echo "peers.sh: test PKI missing at $PKI" >&2; exit 1; }
: > "$OUT/openssl.cnf"
export OPENSSL_CONF=$OUT/openssl.cnf   # independent of the machine's MinProtocol/SECLEVEL

fail() { echo "peers.sh: $NAME: $*" >&2; exit 1; }

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # FILE ERE [COUNT] [TIMEOUT_S]
    local file=$1 re=$2 count=${3:-1} timeout=${4:-10} i n
    for ((i = 0; i < timeout * 20; i++)); do
        n=$(grep -cE -- "$re" "$file" 2>/dev/null || true)
        (( ${n:-0} >= count )) && return 0
        sleep 0.05
    done
    echo "--- $file (tail):" >&2; tail -n 30 "$file" >&2 || true
    fail "timed out waiting for $count x /$re/ in $(basename "$file")"
}
wait_exit() { # PID TIMEOUT_S WHAT
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }
        sleep 0.05
    done
    fail "$3 did not end within $2 s"
}

rm -f "$OUT/server.in" "$OUT/client.in"
start_server() {
    mkfifo "$OUT/server.in"
    timeout "$TIME_LIMIT" stdbuf -o0 -e0 "$@" <"$OUT/server.in" >"$OUT/server.log" 2>&1 &
    SRV_PID=$!; PIDS+=("$SRV_PID")
    exec {SRV}>"$OUT/server.in"
}
start_client() {
    mkfifo "$OUT/client.in"
    (exec {SRV}>&-; exec timeout "$TIME_LIMIT" stdbuf -o0 -e0 "$@" <"$OUT/client.in" >"$OUT/client.log" 2>&1) &
    CLI_PID=$!; PIDS+=("$CLI_PID")
    exec {CLI}>"$OUT/client.in"
}
# One write(2) per message, so it goes out as one TLS record.
to_server() { env printf "$@" >&"$SRV"; }
to_client() { env printf "$@" >&"$CLI"; }

HTTP_REQUEST='GET / HTTP/1.1\r\nHost: server.test\r\n\r\n'
HTTP_RESPONSE='HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n'
LEGACY='@SECLEVEL=0'

ossl_server() {
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -no_cache -no_ticket -msg -state "$@"
    wait_for "$OUT/server.log" '^ACCEPT'
}
ossl_client() {
    # PEERS_KEYLOG: the client appends its keys there while the capture runs.
    local keylog=()
    [[ -n ${PEERS_KEYLOG:-} ]] && keylog=(-keylogfile "$PEERS_KEYLOG")
    start_client openssl s_client -connect "127.0.0.1:$PORT" -servername server.test -CAfile "$PKI/ca.pem" -msg -state "${keylog[@]}" "$@"
    wait_for "$OUT/server.log" '^CIPHER is'
}
send_request() {
    to_client "$HTTP_REQUEST"
    wait_for "$OUT/server.log" '^GET / HTTP/1.1'
}
send_response() {
    to_server "$HTTP_RESPONSE"
    wait_for "$OUT/client.log" '^hello'
}
# The client's stdin ends (close_notify), both peers exit.
finish() {
    exec {CLI}>&-
    wait_exit "$CLI_PID" 8 client
    exec {SRV}>&-
    wait_exit "$SRV_PID" 8 server
}

case $NAME in
plain-tls12)
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher "AES128-SHA:$LEGACY"
    ossl_client -tls1_2 -cipher "AES128-SHA:$LEGACY"
    send_request
    send_response
    finish
    ;;
iis-tls10)
    ossl_server -cert "$PKI/server1024.pem" -key "$PKI/server1024.key" -CAfile "$PKI/ca.pem" \
        -tls1 -cipher "AES128-SHA:$LEGACY"
    ossl_client -tls1 -cipher "AES128-SHA:$LEGACY" -cert "$PKI/client.pem" -key "$PKI/client.key"
    send_request
    to_server 'R\n'   # HelloRequest; verify mode PEER: CertificateRequest in the new handshake
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
    ;;
hold-tls12)
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher "AES128-SHA:$LEGACY"
    ossl_client -tls1_2 -cipher "AES128-SHA:$LEGACY"
    send_request
    for ((i = 0; i < TIME_LIMIT * 20; i++)); do [[ -e $OUT/release ]] && break; sleep 0.05; done
    send_response
    finish
    ;;
bulk-tls12)
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher "AES128-SHA:$LEGACY"
    ossl_client -tls1_2 -cipher "AES128-SHA:$LEGACY"
    for ((i = 0; i < ${PEERS_BULK_CHUNKS:-30}; i++)); do
        { head -c 99999 /dev/zero | tr '\0' x; echo; } >&"$CLI"
        sleep 0.02
    done
    send_request
    send_response
    finish
    ;;
*)
    echo "peers.sh: unknown conversation '$NAME'" >&2; exit 2 ;;
esac
