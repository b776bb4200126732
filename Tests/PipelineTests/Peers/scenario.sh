#!/usr/bin/env bash
# Runs ONE TLS scenario live between real OpenSSL / GnuTLS peers on loopback and
# captures it; prints the capture's path on stdout (the only thing it prints
# there). Used by Tests/PipelineTests/RealPeerTests.swift and, for the
# matrix-SUITE-CASE scenarios, RenegotiationMatrixTests.swift.
#
#   scenario.sh NAME [WORKDIR]     run NAME, files in WORKDIR (default: a new temp dir)
#   scenario.sh --list             the scenario names
#
# Derived from captures/generate.sh (same peers, command lines and step-by-step
# driving: each step waits until a peer logged the previous one), but on a free
# random port, without tshark, and under a hard time limit (SCENARIO_TIMEOUT,
# default 20 s). WORKDIR keeps NAME.pcap, NAME.keys (client key log, for
# debugging with captures/tools/sequence.py), client.log, server.log,
# capture.log and live.ndjson (the capturing tlsdump's own events). Exit status: 0 ok, 1 scenario failed, 2 usage, 3 a tool is missing.
#
# The capture step is start_capture/stop_capture only: tlsdump's own live
# capture (`.build/debug/tlsdump -i lo -w`), tcpdump when tlsdump is not built.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PKI=$ROOT/captures/pki
TIME_LIMIT=${SCENARIO_TIMEOUT:-20}

SCENARIOS=(
    iis-renegotiation-tls10
    renegotiation-no-client-cert-tls12
    server-renegotiation-no-certreq-tls12
    client-renegotiation-accepted
    client-renegotiation-refused
    renegotiation-refused-by-client
    certreq-initial-tls12
    rc4-md5-tls10-gnutls
    iis-renegotiation-rc4-md5
    tls13-pha-keyupdate
    insecure-renegotiation-gnutls
    tls13-hrr-groups
    pq-offer-classical-server
    dhe-tls12
    dhe-ffdhe-gnutls
    ocsp-good-tls12
    ocsp-revoked-tls12
    ocsp-mismatch-tls12
    ocsp-good-tls13
    sct-ocsp-tls12
    resumption-id-rsa-tls12
    resumption-ticket-rsa-tls12
    early-data-accepted-tls13
    early-data-rejected-tls13
    psk-ccm
    large-certificate
    ssl3-tlslite
    renegotiation-resumed-id-tls12
    renegotiation-resumed-ticket-tls12
    uncaptured-server-fin
    tls-in-websocket
    des3-tls12-gnutls
)
# The renegotiation matrix (RenegotiationMatrixTests): matrix-SUITE-CASE, see below.
MATRIX_SUITES=(rc4md5-tls10 aesgcm-tls12 chacha20-tls12)
MATRIX_CASES=(server-client-cert server-no-certreq server-refused server-failed client-completed client-refused)
for suite in "${MATRIX_SUITES[@]}"; do
    for case in "${MATRIX_CASES[@]}"; do SCENARIOS+=("matrix-$suite-$case"); done
done
unset suite case

usage() { echo "usage: $0 NAME [WORKDIR] | --list" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
if [[ $1 == --list ]]; then printf '%s\n' "${SCENARIOS[@]}"; exit 0; fi
SCENARIO=$1
[[ " ${SCENARIOS[*]} " == *" $SCENARIO "* ]] || { echo "scenario.sh: unknown scenario '$SCENARIO'" >&2; usage; }
if [[ $# -ge 2 ]]; then OUT=$2; mkdir -p "$OUT"; else OUT=$(mktemp -d "${TMPDIR:-/tmp}/tlsdump-peer.XXXXXX"); fi
chmod 755 "$OUT"
PCAP=$OUT/$SCENARIO.pcap
KEYS=$OUT/$SCENARIO.keys

fail() { echo "scenario.sh: $SCENARIO: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools

missing_tool() { echo "scenario.sh: $SCENARIO: $1" >&2; exit 3; }
# need COMMAND DEBIAN-PACKAGE [HINT]
need() {
    command -v "$1" >/dev/null 2>&1 ||
        missing_tool "'$1' not found: install the Debian package $2 (${3:-CI installs it with 'make test-deps'})"
}
BUILD_HINT="needed to compile the GnuTLS peers in captures/tools; add it to TEST_PACKAGES in the Makefile"
need timeout coreutils
need stdbuf coreutils
[[ -r $PKI/ca.pem ]] || fail "test PKI missing at $PKI"

# Independent of the machine's openssl.cnf (MinProtocol, SECLEVEL, ...) and of
# GnuTLS's system-wide priority file.
: > "$OUT/openssl.cnf"
export OPENSSL_CONF=$OUT/openssl.cnf
export GNUTLS_SYSTEM_PRIORITY_FILE=/dev/null

# gnutls_tool NAME: path of captures/tools/NAME.c compiled (cached beside the
# other scratch files under the source's checksum, so checkouts with different
# versions of it never share a binary).
gnutls_tool() {
    local source=$ROOT/captures/tools/$1.c sum
    need gcc gcc "$BUILD_HINT"
    need pkg-config pkg-config "$BUILD_HINT"
    pkg-config --exists gnutls ||
        missing_tool "the GnuTLS headers are missing: install the Debian package libgnutls28-dev ($BUILD_HINT)"
    [[ -r $source ]] || fail "missing $source"
    sum=$(cksum <"$source")
    local cache=${TMPDIR:-/tmp}/tlsdump-peers-$(id -u)
    local bin=$cache/$1-${sum%% *}
    if [[ ! -x $bin ]]; then
        mkdir -p "$cache"
        # shellcheck disable=SC2046
        gcc -O2 -Wall -o "$bin.$$" "$source" $(pkg-config --cflags --libs gnutls) >"$OUT/gcc.log" 2>&1 ||
            { cat "$OUT/gcc.log" >&2; fail "could not compile $source"; }
        mv -f "$bin.$$" "$bin"
    fi
    echo "$bin"
}
# openssl_tool NAME: captures/tools/NAME.c compiled against OpenSSL's libssl (cached the same way).
openssl_tool() {
    local source=$ROOT/captures/tools/$1.c sum
    need gcc gcc "$BUILD_HINT"
    [[ -r /usr/include/openssl/ssl.h ]] ||
        missing_tool "the OpenSSL headers are missing: install the Debian package libssl-dev ($BUILD_HINT)"
    sum=$(cksum <"$source")
    local cache=${TMPDIR:-/tmp}/tlsdump-peers-$(id -u)
    local bin=$cache/$1-${sum%% *}
    if [[ ! -x $bin ]]; then
        mkdir -p "$cache"
        gcc -O2 -Wall -o "$bin.$$" "$source" -lssl -lcrypto >"$OUT/gcc.log" 2>&1 ||
            { cat "$OUT/gcc.log" >&2; fail "could not compile $source"; }
        mv -f "$bin.$$" "$bin"
    fi
    echo "$bin"
}
# gnutls_reneg_server: captures/tools/gnutls-reneg-server.c, an IIS-like server.
gnutls_reneg_server() { gnutls_tool gnutls-reneg-server; }
# gnutls_refusing_client: captures/tools/gnutls-refusing-client.c, a client that refuses renegotiation.
gnutls_refusing_client() { gnutls_tool gnutls-refusing-client; }

# ---------------------------------------------------------------- processes

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'fail "did not finish within ${TIME_LIMIT}s (hard limit)"' USR1
trap 'exit 130' INT TERM

# The hard limit: a watchdog signals this shell, whose trap fails the scenario.
(
    sleep "$TIME_LIMIT" & nap=$!
    trap 'kill $nap 2>/dev/null; wait $nap 2>/dev/null; exit 0' TERM
    wait $nap && kill -USR1 $$ 2>/dev/null
) &
PIDS+=($!)

# wait_for FILE ERE [COUNT] [TIMEOUT_S]: until FILE has COUNT lines matching ERE.
wait_for() {
    local file=$1 re=$2 count=${3:-1} timeout=${4:-10} i n
    for ((i = 0; i < timeout * 20; i++)); do
        n=$(grep -cE -- "$re" "$file" 2>/dev/null || true)
        (( ${n:-0} >= count )) && return 0
        sleep 0.05
    done
    echo "--- $file (tail):" >&2; tail -n 30 "$file" >&2 || true
    fail "timed out waiting for $count x /$re/ in $(basename "$file")"
}

# wait_exit PID [TIMEOUT_S]: until the process ended.
wait_exit() {
    local pid=$1 timeout=${2:-10} i
    for ((i = 0; i < timeout * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.05
    done
    fail "process $pid ($3) did not end within ${timeout}s"
}

# A random port outside Linux's ephemeral range that no TCP socket uses, locally
# or as its peer (so the capture filter sees only this scenario).
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    grep -qE "^ *[0-9]+: [0-9A-F]+:$hex |^ *[0-9]+: [0-9A-F]+:[0-9A-F]{4} [0-9A-F]+:$hex " \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
pick_port() {
    local i
    for ((i = 0; i < 50; i++)); do
        PORT=$((20000 + RANDOM % 12000))
        port_in_use "$PORT" || return 0
    done
    fail "no free port found"
}

# ---------------------------------------------------------------- capture
# The one place that records the wire: tlsdump's own live capture on lo for the
# scenario's port (-w keeps the packets, live.ndjson its events as it saw them),
# or tcpdump when tlsdump has not been built.

TLSDUMP_BIN=$ROOT/.build/debug/tlsdump

start_capture() {
    local tool filter="tcp port $PORT"
    # CAPTURE_FILTER_EXTRA: more BPF to and (a scenario that must not see some packets).
    [[ -n ${CAPTURE_FILTER_EXTRA:-} ]] && filter="$filter and $CAPTURE_FILTER_EXTRA"
    if [[ -x $TLSDUMP_BIN ]]; then
        tool=tlsdump
        "$TLSDUMP_BIN" -i lo -w "$PCAP" --format json -o "$OUT/live.ndjson" "$filter" 2>"$OUT/capture.log" &
    else
        echo "scenario.sh: $SCENARIO: $TLSDUMP_BIN not built ('swift build'); capturing with tcpdump instead" >&2
        need tcpdump tcpdump
        tool=tcpdump
        local user
        user=$(id -un)   # tcpdump would otherwise drop to its own user, who cannot write OUT
        tcpdump -i lo -U --immediate-mode -n -s 262144 -Z "$user" -w "$PCAP" "$filter" 2>"$OUT/capture.log" &
    fi
    CAP_PID=$!; PIDS+=("$CAP_PID")
    # Both print "listening on lo, ..." on stderr once the capture is open and filtered.
    local i
    for ((i = 0; i < 200; i++)); do
        grep -q 'listening on' "$OUT/capture.log" 2>/dev/null && return 0
        kill -0 "$CAP_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$OUT/capture.log" >&2
    fail "$tool did not start capturing on lo (capturing needs root or CAP_NET_RAW)"
}

stop_capture() {
    sleep 0.3   # the last FIN/ACK reaches the capture buffer
    kill -INT "$CAP_PID" 2>/dev/null || true
    # SIGINT ends the capture cleanly: the -w file is flushed before exit.
    wait_exit "$CAP_PID" 10 capture
    [[ -s $PCAP ]] || { cat "$OUT/capture.log" >&2; fail "empty capture"; }
}

# ---------------------------------------------------------------- peers

# start_server CMD...: CMD with stdin from a fifo (written through fd SRV),
# stdout+stderr in server.log.
start_server() {
    mkfifo "$OUT/server.in"
    timeout "$TIME_LIMIT" stdbuf -o0 -e0 "$@" <"$OUT/server.in" >"$OUT/server.log" 2>&1 &
    SRV_PID=$!; PIDS+=("$SRV_PID")
    exec {SRV}>"$OUT/server.in"
}

# start_client CMD...: the same for the client (fd CLI, client.log), without
# inheriting the server's fifo, whose end of file must stay ours to give.
start_client() {
    mkfifo "$OUT/client.in"
    (exec {SRV}>&-; exec timeout "$TIME_LIMIT" stdbuf -o0 -e0 "$@" <"$OUT/client.in" >"$OUT/client.log" 2>&1) &
    CLI_PID=$!; PIDS+=("$CLI_PID")
    exec {CLI}>"$OUT/client.in"
}

# One write(2) per call (bash's builtin printf may split), so a message is one TLS record.
to_server() { env printf "$@" >&"$SRV"; }
to_client() { env printf "$@" >&"$CLI"; }
close_client_stdin() { exec {CLI}>&-; }

HTTP_REQUEST='GET / HTTP/1.1\r\nHost: server.test\r\n\r\n'
HTTP_RESPONSE='HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n'
LEGACY='@SECLEVEL=0'   # TLS 1.0, SHA-1/MD5 signatures, 1024-bit RSA

begin() {
    pick_port
    start_capture
}

# finish: the client's stdin ends (close_notify), both peers exit, the capture stops.
finish() {
    { exec {CLI}>&-; } 2>/dev/null || true
    wait_exit "$CLI_PID" 8 client
    { exec {SRV}>&-; } 2>/dev/null || true
    if [[ ${SERVER_PERSISTENT:-} == 1 ]]; then   # gnutls-serv never exits by itself
        sleep 0.3
        kill "$SRV_PID" 2>/dev/null || true
    fi
    wait_exit "$SRV_PID" 8 server
    stop_capture
}

# ossl_server ARGS...: s_server for one connection; -no_cache/-no_ticket make
# every renegotiation a full handshake.
ossl_server() {
    need openssl openssl
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -no_cache -no_ticket -msg -state "$@"
    wait_for "$OUT/server.log" '^ACCEPT'
}

ossl_client() {
    start_client openssl s_client -connect "127.0.0.1:$PORT" -servername server.test -CAfile "$PKI/ca.pem" \
        -keylogfile "$KEYS" -msg -state "$@"
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

gnutls_client() {
    local prio=$1; shift
    need gnutls-cli gnutls-bin
    start_client env SSLKEYLOGFILE="$KEYS" gnutls-cli 127.0.0.1 -p "$PORT" \
        --sni-hostname server.test --verify-hostname server.test --x509cafile "$PKI/ca.pem" \
        --priority "$prio" "$@"
    wait_for "$OUT/client.log" '^- Simple Client Mode'
}

# A server renegotiation driven by s_server's command R (verify mode peer, so a
# CertificateRequest in the new handshake) or r (no CertificateRequest).
server_renegotiates() {
    local command=$1
    send_request
    to_server "$command\\n"
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
}

# The IIS story with GnuTLS: captures/tools/gnutls-reneg-server.c (HelloRequest after
# the request, CertificateRequest in the renegotiation) and gnutls-cli with a certificate.
gnutls_reneg() {
    local prio=$1 client_prio=$2 bin
    bin=$(gnutls_reneg_server)
    begin
    start_server "$bin" "$PORT" "$PKI/server1024.pem" "$PKI/server1024.key" "$PKI/ca.pem" "$prio"
    wait_for "$OUT/server.log" '^LISTENING'
    gnutls_client "$client_prio" --x509certfile "$PKI/client.pem" --x509keyfile "$PKI/client.key"
    to_client "$HTTP_REQUEST"
    wait_for "$OUT/server.log" '^RESPONSE'
    grep -q '^REHANDSHAKE ok' "$OUT/server.log" || { cat "$OUT/server.log" >&2; fail "the renegotiation did not complete"; }
    wait_for "$OUT/client.log" '^hello'
    close_client_stdin
    wait_for "$OUT/server.log" '^CLOSED'
    finish
}

ECDHE12=(-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256)
RC4_MD5_TLS10='NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+MD5:-KX-ALL:+RSA:%COMPAT'

# ---------------------------------------------------------------- scenarios

# IIS: plain TLS 1.0 AES128-SHA handshake (1024-bit key), GET, then HelloRequest and a
# CertificateRequest in the renegotiation; the client sends its certificate.
scenario_iis-renegotiation-tls10() {
    begin
    ossl_server -cert "$PKI/server1024.pem" -key "$PKI/server1024.key" -CAfile "$PKI/ca.pem" \
        -tls1 -cipher "AES128-SHA:$LEGACY"
    ossl_client -tls1 -cipher "AES128-SHA:$LEGACY" -cert "$PKI/client.pem" -key "$PKI/client.key"
    server_renegotiates R
}

# The same on TLS 1.2 ECDHE; the client has no certificate (empty Certificate).
scenario_renegotiation-no-client-cert-tls12() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" "${ECDHE12[@]}"
    ossl_client "${ECDHE12[@]}"
    server_renegotiates R
}

# Server renegotiation without a CertificateRequest (command r).
scenario_server-renegotiation-no-certreq-tls12() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${ECDHE12[@]}"
    ossl_client "${ECDHE12[@]}"
    server_renegotiates r
}

# The client renegotiates (s_client command R) and the server allows it.
scenario_client-renegotiation-accepted() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${ECDHE12[@]}" -client_renegotiation
    ossl_client "${ECDHE12[@]}"
    send_request
    to_client 'R\n'
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
}

# The client renegotiates and the server refuses (OpenSSL 3's default): encrypted
# warning no_renegotiation, then the client's fatal handshake_failure.
scenario_client-renegotiation-refused() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${ECDHE12[@]}"
    ossl_client "${ECDHE12[@]}"
    send_request
    to_client 'R\n'
    wait_exit "$CLI_PID" 8 client
    finish
}

# The server sends HelloRequest and the client refuses (s_client -no_renegotiation):
# warning no_renegotiation, then the server's fatal handshake_failure.
scenario_renegotiation-refused-by-client() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" "${ECDHE12[@]}"
    ossl_client "${ECDHE12[@]}" -no_renegotiation
    send_request
    to_server 'R\n'
    wait_exit "$SRV_PID" 8 server
    finish
}

# CertificateRequest in the first handshake; the client presents its certificate.
scenario_certreq-initial-tls12() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" -verify 1 "${ECDHE12[@]}"
    ossl_client "${ECDHE12[@]}" -cert "$PKI/client.pem" -key "$PKI/client.key"
    send_request
    send_response
    finish
}

# GnuTLS both sides, TLS 1.0 RC4-MD5 with the 1024-bit key; one line echoed.
scenario_rc4-md5-tls10-gnutls() {
    need gnutls-serv gnutls-bin
    begin
    SERVER_PERSISTENT=1
    start_server gnutls-serv --echo --disable-client-cert --nodb --noticket -p "$PORT" \
        --x509certfile "$PKI/server1024.pem" --x509keyfile "$PKI/server1024.key" --priority "$RC4_MD5_TLS10"
    wait_for "$OUT/server.log" 'listening'
    gnutls_client "$RC4_MD5_TLS10"
    to_client 'hello over tls\n'
    wait_for "$OUT/client.log" '^hello over tls'
    close_client_stdin
    finish
}

# The IIS story with its original suite, RC4-MD5 on TLS 1.0, GnuTLS both sides.
scenario_iis-renegotiation-rc4-md5() {
    gnutls_reneg "$RC4_MD5_TLS10" "$RC4_MD5_TLS10"
}

# TLS 1.3: post-handshake client authentication (s_server command c), then a
# KeyUpdate from the server (command k).
scenario_tls13-pha-keyupdate() {
    need openssl openssl
    begin
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -num_tickets 0 -msg -state \
        -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" \
        -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
    wait_for "$OUT/server.log" '^ACCEPT'
    ossl_client -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -enable_pha \
        -cert "$PKI/client.pem" -key "$PKI/client.key"
    send_request
    to_server 'c\n'
    wait_for "$OUT/server.log" '^<<< .*Finished' 2
    to_server 'k\n'
    wait_for "$OUT/client.log" '^<<< .*KeyUpdate' 1
    send_response
    finish
}

# Renegotiation without RFC 5746: a GnuTLS client with safe renegotiation disabled
# (no renegotiation_info, no SCSV) and the GnuTLS reneg server allowing unsafe
# renegotiation; TLS 1.2 ECDHE, IIS-like (CertificateRequest in the renegotiation).
scenario_insecure-renegotiation-gnutls() {
    local base='NORMAL:-VERS-ALL:+VERS-TLS1.2'
    gnutls_reneg "$base:%UNSAFE_RENEGOTIATION" "$base:%DISABLE_SAFE_RENEGOTIATION"
}

# TLS 1.3 HelloRetryRequest forced by groups: the client sends a key share for
# x25519 only (its first group) and also lists P-256; the server accepts only
# P-256, so it answers with an HRR naming secp256r1.
scenario_tls13-hrr-groups() {
    need openssl openssl
    begin
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -num_tickets 0 -msg -state \
        -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_3 -groups P-256
    wait_for "$OUT/server.log" '^ACCEPT'
    ossl_client -tls1_3 -groups X25519:P-256
    send_request
    send_response
    finish
}

# ---------------------------------------------------------------- stapled OCSP
# Tests/PipelineTests/OCSPStaplingTests.swift: s_server staples a response made
# here by `openssl ocsp` from a test CA index (the CA signs it), and s_client
# asks for it (-status).

# ocsp_response CERT STATUS OUT: OUT gets a DER response for CERT, STATUS good or
# revoked (on 2024-01-01, keyCompromise), valid 7 days from now.
ocsp_response() {
    local cert=$1 status=$2 out=$3 serial subject
    serial=$(openssl x509 -in "$cert" -noout -serial) || fail "cannot read $cert"
    serial=${serial#serial=}
    subject=$(openssl x509 -in "$cert" -noout -subject -nameopt compat)
    subject=${subject#subject=}
    if [[ $status == revoked ]]; then
        printf 'R\t301231235959Z\t240101000000Z,keyCompromise\t%s\tunknown\t%s\n' "$serial" "$subject" >"$OUT/index.txt"
    else
        printf 'V\t301231235959Z\t\t%s\tunknown\t%s\n' "$serial" "$subject" >"$OUT/index.txt"
    fi
    openssl ocsp -issuer "$PKI/ca.pem" -cert "$cert" -no_nonce -reqout "$OUT/ocsp-request.der" >>"$OUT/ocsp.log" 2>&1 ||
        { cat "$OUT/ocsp.log" >&2; fail "openssl ocsp could not make the request"; }
    openssl ocsp -index "$OUT/index.txt" -rsigner "$PKI/ca.pem" -rkey "$PKI/ca.key" -CA "$PKI/ca.pem" \
        -reqin "$OUT/ocsp-request.der" -respout "$out" -ndays 7 >>"$OUT/ocsp.log" 2>&1 ||
        { cat "$OUT/ocsp.log" >&2; fail "openssl ocsp could not make the response"; }
}

# ocsp_stapling STATUS-FILE SERVER-ARGS... -- CLIENT-ARGS...: one request and response
# with the response stapled; the client must have printed the status it got.
ocsp_stapling() {
    local file=$1; shift
    local server=() client=()
    while [[ $# -gt 0 && $1 != -- ]]; do server+=("$1"); shift; done
    shift
    client=("$@")
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -status_file "$file" "${server[@]}"
    ossl_client -status "${client[@]}"
    wait_for "$OUT/client.log" '^OCSP response:'
    send_request
    send_response
    finish
}

# A post-quantum offer a classical server declines: the ClientHello Chrome 124
# sent in the corpus capture chrome-1250-tls-x25519-kyber.pcap (key shares
# X25519Kyber768Draft00 and x25519, a GREASE ECH extension), replayed byte for
# byte to OpenSSL 3.0, which knows no Kyber group and answers with x25519. The
# replaying client cannot finish the handshake (it has no keys): it reads the
# server's first flight and closes.
scenario_pq-offer-classical-server() {
    need openssl openssl
    local hello=$HERE/chrome-124-kyber-client-hello.bin
    [[ -r $hello ]] || fail "missing $hello"
    begin
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -num_tickets 0 -msg -state \
        -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_3
    wait_for "$OUT/server.log" '^ACCEPT'
    start_client bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat "$2" >&3 && head -c 100 <&3 >/dev/null && echo "GOT SERVER FLIGHT"; exec 3>&-' \
        replay "$PORT" "$hello"
    wait_for "$OUT/server.log" '^>>> .*ServerHello'
    wait_for "$OUT/client.log" '^GOT SERVER FLIGHT'
    { exec {CLI}>&-; } 2>/dev/null || true
    wait_exit "$CLI_PID" 8 client
    { exec {SRV}>&-; } 2>/dev/null || true
    wait_exit "$SRV_PID" 8 server
    stop_capture
}

# TLS 1.2 finite-field DHE with OpenSSL's automatic parameters (RFC 7919
# ffdhe2048 for a 2048-bit RSA key): the ServerKeyExchange carries the prime.
scenario_dhe-tls12() {
    begin
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256
    ossl_client -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256
    send_request
    send_response
    finish
}

# TLS 1.2 DHE negotiated by group (RFC 7919) between GnuTLS peers: the
# ServerKeyExchange carries the ffdhe2048 prime.
scenario_dhe-ffdhe-gnutls() {
    need gnutls-serv gnutls-bin
    local prio='NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHE2048'
    begin
    SERVER_PERSISTENT=1
    start_server gnutls-serv --echo --disable-client-cert --nodb --noticket -p "$PORT" \
        --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.key" --priority "$prio"
    wait_for "$OUT/server.log" 'listening'
    gnutls_client "$prio"
    to_client 'hello over tls\n'
    wait_for "$OUT/client.log" '^hello over tls'
    close_client_stdin
    finish
}

# TLS 1.2, a good response; the chain includes the CA, so the whole CertID is checked.
scenario_ocsp-good-tls12() {
    need openssl openssl
    ocsp_response "$PKI/server.pem" good "$OUT/good.der"
    ocsp_stapling "$OUT/good.der" "${ECDHE12[@]}" -cert_chain "$PKI/ca.pem" -- "${ECDHE12[@]}"
}

# TLS 1.2, the server's certificate revoked; no chain (the issuer's key hash cannot be checked).
scenario_ocsp-revoked-tls12() {
    need openssl openssl
    ocsp_response "$PKI/server.pem" revoked "$OUT/revoked.der"
    ocsp_stapling "$OUT/revoked.der" "${ECDHE12[@]}" -- "${ECDHE12[@]}"
}

# TLS 1.2, the server staples the response for another certificate (the client's, same CA).
scenario_ocsp-mismatch-tls12() {
    need openssl openssl
    ocsp_response "$PKI/client.pem" good "$OUT/other.der"
    ocsp_stapling "$OUT/other.der" "${ECDHE12[@]}" -cert_chain "$PKI/ca.pem" -- "${ECDHE12[@]}"
}

# TLS 1.3: the response and two SCTs ride in the leaf's CertificateEntry
# (encrypted; the key log reads them). The client offers TLS 1.2 too, or
# s_client would not send its (TLS 1.2-style) request for extension 18.
scenario_ocsp-good-tls13() {
    need openssl openssl
    ocsp_response "$PKI/server.pem" good "$OUT/good.der"
    sct_serverinfo "$OUT/sct.pem" 0x1080
    ocsp_stapling "$OUT/good.der" -tls1_3 -num_tickets 0 -cert_chain "$PKI/ca.pem" -serverinfo "$OUT/sct.pem" -- -serverinfo 18
    grep -q '^New, TLSv1.3' "$OUT/client.log" || fail "TLS 1.3 was not negotiated"
    [[ -s $KEYS ]] || fail "the client wrote no key log"
}

# sct_serverinfo FILE CONTEXT: an s_server -serverinfo file (SERVERINFOV2) with two
# made-up SCTs in a signed_certificate_timestamp extension, sent where CONTEXT
# (OpenSSL's SSL_EXT_* bits) says: 0x0180 the TLS 1.2 ServerHello, 0x1080 the
# TLS 1.3 leaf CertificateEntry. Log ids SHA-256("tlsdump test log 1"/"2"),
# timestamps 2023-11-14T22:13:20.123Z and .456Z, a dummy signature. The client
# asks with `s_client -serverinfo 18` (and prints what came, TLS 1.2).
sct_serverinfo() {
    need python3 python3
    python3 - "$1" "$2" <<'PY' || fail "could not write the serverinfo file"
import base64, hashlib, struct, sys
def sct(name, ms):
    body = b"\x00" + hashlib.sha256(name).digest() + struct.pack(">Q", ms) + b"\x00\x00\x04\x03\x00\x04\x01\x02\x03\x04"
    return struct.pack(">H", len(body)) + body
scts = sct(b"tlsdump test log 1", 1700000000123) + sct(b"tlsdump test log 2", 1700000000456)
data = struct.pack(">H", len(scts)) + scts
ext = struct.pack(">IHH", int(sys.argv[2], 16), 18, len(data)) + data
with open(sys.argv[1], "w") as f:
    f.write("-----BEGIN SERVERINFOV2 FOR signed_certificate_timestamp-----\n")
    f.write(base64.encodebytes(ext).decode())
    f.write("-----END SERVERINFOV2 FOR signed_certificate_timestamp-----\n")
PY
}

# TLS 1.2: the SCTs in the ServerHello beside a stapled response.
scenario_sct-ocsp-tls12() {
    need openssl openssl
    sct_serverinfo "$OUT/sct.pem" 0x0180
    ocsp_response "$PKI/server.pem" good "$OUT/good.der"
    ocsp_stapling "$OUT/good.der" "${ECDHE12[@]}" -cert_chain "$PKI/ca.pem" -serverinfo "$OUT/sct.pem" -- \
        "${ECDHE12[@]}" -serverinfo 18
    grep -q 'BEGIN SERVERINFO FOR EXTENSION 18' "$OUT/client.log" || fail "the client got no SCT extension"
}

# ---------------------------------------------------------------- the renegotiation matrix
# Tests/PipelineTests/RenegotiationMatrixTests.swift: every kind of renegotiation
# (server- or client-initiated; completed, refused, failed) for three suites,
# each from real peers and checked with and without the client's key log.
# Scenario names are matrix-SUITE-CASE:
#
#   SUITE   rc4md5-tls10    TLS 1.0 TLS_RSA_WITH_RC4_128_MD5, 1024-bit key: GnuTLS
#                           on both sides (Debian's OpenSSL 3 has no RC4 suite at all)
#           aesgcm-tls12    TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
#           chacha20-tls12  TLS 1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
#                           (both: OpenSSL on both sides, except server-failed:
#                           the GnuTLS server and s_client)
#   CASE    server-client-cert  HelloRequest after the request; CertificateRequest in
#                               the renegotiation; the client sends its certificate
#           server-no-certreq   HelloRequest; a renegotiation without CertificateRequest
#           server-refused      HelloRequest answered with a warning no_renegotiation
#                               (instead of a ClientHello)
#           server-failed       HelloRequest; the client sends its ClientHello, the
#                               server presents another certificate in the renegotiation
#                               and the client aborts with a fatal alert
#           client-completed    the client renegotiates after its request, the server
#                               allows it
#           client-refused      the client renegotiates, the server answers its
#                               ClientHello with an alert

MATRIX_RC4=$RC4_MD5_TLS10
MATRIX_GNUTLS_AESGCM='NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA'
MATRIX_GNUTLS_CHACHA20='NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-RSA'

# gnutls_server_matrix ARGS...: captures/tools/gnutls-reneg-server.c with the
# suite's server certificate and priority, then ARGS (its options).
gnutls_server_matrix() {
    local bin
    bin=$(gnutls_reneg_server)
    start_server "$bin" "$PORT" "$MATRIX_CERT" "$MATRIX_KEY" "$PKI/ca.pem" "$MATRIX_GNUTLS" "$@"
    wait_for "$OUT/server.log" '^LISTENING'
}

# gnutls_client_matrix ARGS...: gnutls-cli with the suite's priority (key log through SSLKEYLOGFILE).
gnutls_client_matrix() {
    gnutls_client "$MATRIX_GNUTLS" "$@"
    wait_for "$OUT/server.log" '^HANDSHAKE'
}

# matrix_gnutls_request: the client's request, read by the GnuTLS server (which then
# renegotiates, or waits for the client to).
matrix_gnutls_request() {
    to_client "$HTTP_REQUEST"
    wait_for "$OUT/server.log" '^REQUEST'
}

# matrix_gnutls_end: the response reaches the client, whose stdin ends (close_notify).
matrix_gnutls_end() {
    wait_for "$OUT/server.log" '^RESPONSE$'
    wait_for "$OUT/client.log" '^hello'
    close_client_stdin
    wait_for "$OUT/server.log" '^CLOSED'
    finish
}

# matrix_expect_server_log ERE: the server's log must say ERE (the scenario really happened).
matrix_expect_server_log() {
    grep -qE -- "$1" "$OUT/server.log" || { cat "$OUT/server.log" >&2; fail "server log lacks /$1/"; }
}

# ---- GnuTLS on both sides (rc4md5-tls10)

matrix_gnutls_server-client-cert() {
    gnutls_server_matrix
    gnutls_client_matrix --x509certfile "$PKI/client.pem" --x509keyfile "$PKI/client.key"
    matrix_gnutls_request
    wait_for "$OUT/server.log" '^REHANDSHAKE'
    matrix_expect_server_log '^REHANDSHAKE ok, client certificates: 1'
    matrix_gnutls_end
}

matrix_gnutls_server-no-certreq() {
    gnutls_server_matrix --no-certreq
    gnutls_client_matrix
    matrix_gnutls_request
    wait_for "$OUT/server.log" '^REHANDSHAKE'
    matrix_expect_server_log '^REHANDSHAKE ok, client certificates: 0'
    matrix_gnutls_end
}

# gnutls-cli always performs a renegotiation it is asked for (its no_renegotiation
# reply is commented out in its source) and OpenSSL has no RC4: the refusing client
# is captures/tools/gnutls-refusing-client.c, GnuTLS's own warning no_renegotiation
# (what BoringSSL, Go and Botan send by default). The server goes on and answers.
matrix_gnutls_server-refused() {
    local bin
    gnutls_server_matrix
    bin=$(gnutls_refusing_client)
    start_client env SSLKEYLOGFILE="$KEYS" "$bin" "$PORT" "$PKI/ca.pem" "$MATRIX_GNUTLS"
    wait_for "$OUT/client.log" '^CLOSED'
    matrix_expect_server_log '^REHANDSHAKE failed: .*alert No renegotiation'
    wait_for "$OUT/server.log" '^CLOSED'
    finish
}

# The server presents another (valid) certificate in the renegotiation; GnuTLS's
# client refuses a peer whose certificate changed during a rehandshake and sends a
# fatal alert after the server's flight (its ClientHello came first).
matrix_gnutls_server-failed() {
    gnutls_server_matrix --no-certreq --reneg-cert "$PKI/server.pem" "$PKI/server.key"
    gnutls_client_matrix
    matrix_gnutls_request
    wait_for "$OUT/server.log" '^REHANDSHAKE'
    matrix_expect_server_log '^REHANDSHAKE failed: .*fatal alert'
    wait_exit "$CLI_PID" 8 client
    finish
}

# gnutls-cli --inline-commands: the line ^renegotiate^ starts a renegotiation.
matrix_gnutls_client-completed() {
    gnutls_server_matrix --client-reneg accept
    gnutls_client_matrix --inline-commands
    matrix_gnutls_request
    to_client '^renegotiate^\n'
    wait_for "$OUT/server.log" '^CLIENT-RENEG'
    matrix_expect_server_log '^CLIENT-RENEG ok'
    matrix_gnutls_end
}

# The server refuses with a fatal handshake_failure. After a warning no_renegotiation
# gnutls-cli's handshake loop, for which a warning is not fatal, keeps waiting for a
# ServerHello: the server's next record fails it ("TLS Application data were received,
# while expecting handshake data") and it sends a second ClientHello. So the warning
# form of this case comes from OpenSSL (the TLS 1.2 suites) only.
matrix_gnutls_client-refused() {
    gnutls_server_matrix --client-reneg refuse --refuse-fatal
    gnutls_client_matrix --inline-commands
    matrix_gnutls_request
    to_client '^renegotiate^\n'
    wait_for "$OUT/server.log" '^CLIENT-RENEG refused'
    wait_exit "$CLI_PID" 8 client
    finish
}

# ---- OpenSSL on both sides (aesgcm-tls12, chacha20-tls12), as the scenarios above

matrix_openssl_server-client-cert() {
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" "${MATRIX_OPENSSL[@]}"
    ossl_client "${MATRIX_OPENSSL[@]}" -cert "$PKI/client.pem" -key "$PKI/client.key"
    server_renegotiates R
}

matrix_openssl_server-no-certreq() {
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${MATRIX_OPENSSL[@]}"
    ossl_client "${MATRIX_OPENSSL[@]}"
    server_renegotiates r
}

# s_client -no_renegotiation: warning no_renegotiation, then s_server's fatal handshake_failure.
matrix_openssl_server-refused() {
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" "${MATRIX_OPENSSL[@]}"
    ossl_client "${MATRIX_OPENSSL[@]}" -no_renegotiation
    send_request
    to_server 'R\n'
    wait_exit "$SRV_PID" 8 server
    finish
}

# s_server cannot change anything in a renegotiation, so the server is the GnuTLS
# one, presenting the client's certificate (CN client.test, clientAuth only) in the
# renegotiation; s_client -verify_return_error rejects it after its ClientHello with
# a fatal unsupported_certificate.
matrix_openssl_server-failed() {
    gnutls_server_matrix --no-certreq --reneg-cert "$PKI/client.pem" "$PKI/client.key"
    start_client openssl s_client -connect "127.0.0.1:$PORT" -servername server.test -CAfile "$PKI/ca.pem" \
        -keylogfile "$KEYS" -msg -state -verify_return_error -verify_hostname server.test "${MATRIX_OPENSSL[@]}"
    wait_for "$OUT/server.log" '^HANDSHAKE'
    to_client "$HTTP_REQUEST"
    wait_for "$OUT/server.log" '^REHANDSHAKE'
    matrix_expect_server_log '^REHANDSHAKE failed: .*fatal alert'
    wait_exit "$CLI_PID" 8 client
    finish
}

matrix_openssl_client-completed() {
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${MATRIX_OPENSSL[@]}" -client_renegotiation
    ossl_client "${MATRIX_OPENSSL[@]}"
    send_request
    to_client 'R\n'
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
}

# OpenSSL 3's server refuses by default: warning no_renegotiation, then the client's
# fatal handshake_failure.
matrix_openssl_client-refused() {
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${MATRIX_OPENSSL[@]}"
    ossl_client "${MATRIX_OPENSSL[@]}"
    send_request
    to_client 'R\n'
    wait_exit "$CLI_PID" 8 client
    finish
}

# matrix_scenario SUITE-CASE
matrix_scenario() {
    local name=$1 suite="" case
    for suite in "${MATRIX_SUITES[@]}"; do [[ $name == "$suite"-* ]] && break; done
    case=${name#"$suite"-}
    case $suite in
        rc4md5-tls10)
            MATRIX_GNUTLS=$MATRIX_RC4 MATRIX_CERT=$PKI/server1024.pem MATRIX_KEY=$PKI/server1024.key
            begin
            "matrix_gnutls_$case" ;;
        aesgcm-tls12|chacha20-tls12)
            if [[ $suite == aesgcm-tls12 ]]; then
                MATRIX_OPENSSL=(-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256) MATRIX_GNUTLS=$MATRIX_GNUTLS_AESGCM
            else
                MATRIX_OPENSSL=(-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305) MATRIX_GNUTLS=$MATRIX_GNUTLS_CHACHA20
            fi
            MATRIX_CERT=$PKI/server.pem MATRIX_KEY=$PKI/server.key
            begin
            "matrix_openssl_$case" ;;
    esac
    [[ -s $KEYS ]] || fail "the client wrote no key log"
}
# Issue 26 item 2: a full static-RSA handshake, then five connections resuming it
# (s_client -reconnect): by session id (-no_ticket), or by session ticket. With the
# server's RSA key alone, the resumed connections take the first one's master secret.
resumption_rsa() {
    need openssl openssl
    begin
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 6 -msg -state \
        -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher AES128-GCM-SHA256 "$@"
    wait_for "$OUT/server.log" '^ACCEPT'
    start_client openssl s_client -connect "127.0.0.1:$PORT" -servername server.test -CAfile "$PKI/ca.pem" \
        -keylogfile "$KEYS" -msg -reconnect -tls1_2 -cipher AES128-GCM-SHA256
    wait_for "$OUT/client.log" '^Reused, ' 5
    wait_for "$OUT/server.log" '^CIPHER is' 6
    send_request
    send_response
    finish
}
scenario_resumption-id-rsa-tls12() { resumption_rsa -no_ticket; }
scenario_resumption-ticket-rsa-tls12() { resumption_rsa -no_cache; }   # stateless: no session id to find it by

# Issue 26 item 1: TLS 1.3 0-RTT. A first connection saves its session (s_client
# -sess_out), a second one resumes it and sends early data (-sess_in -early_data).
# Accepted: one s_server -early_data serves both. Rejected: the second connection
# meets a new s_server without -early_data (and other ticket keys): a full
# handshake, the early data skipped. Both clients write the key log.
early_data_client() {   # early_data_client ARGS...: one s_client, stdin open for 1.5 s
    (exec {SRV}>&-; sleep 1.5 | timeout "$TIME_LIMIT" openssl s_client -connect "127.0.0.1:$PORT" -servername server.test \
        -CAfile "$PKI/ca.pem" -tls1_3 -keylogfile "$KEYS" "$@" >>"$OUT/client.log" 2>&1) || true
}
early_data() {
    local accepted=$1
    need openssl openssl
    begin
    printf 'GET /early HTTP/1.1\r\nHost: server.test\r\n\r\n' >"$OUT/early.txt"
    local naccept=2
    [[ $accepted == 1 ]] || naccept=1
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept "$naccept" -early_data -tls1_3 \
        -cert "$PKI/server.pem" -key "$PKI/server.key"
    wait_for "$OUT/server.log" '^ACCEPT'
    early_data_client -sess_out "$OUT/session.pem"
    [[ -s $OUT/session.pem ]] || fail "no session saved"
    if [[ $accepted != 1 ]]; then
        { exec {SRV}>&-; } 2>/dev/null || true
        wait_exit "$SRV_PID" 8 server
        (sleep 4 | timeout "$TIME_LIMIT" openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -tls1_3 \
            -cert "$PKI/server.pem" -key "$PKI/server.key" >"$OUT/server2.log" 2>&1) &
        PIDS+=($!)
        wait_for "$OUT/server2.log" '^ACCEPT'
    fi
    early_data_client -sess_in "$OUT/session.pem" -early_data "$OUT/early.txt"
    if [[ $accepted == 1 ]]; then
        wait_for "$OUT/server.log" 'GET /early' 1
        { exec {SRV}>&-; } 2>/dev/null || true
        wait_exit "$SRV_PID" 8 server
    else
        grep -q 'GET /early' "$OUT/server2.log" && fail "the second server accepted the early data"
    fi
    stop_capture
}
scenario_early-data-accepted-tls13() { early_data 1; }
scenario_early-data-rejected-tls13() { early_data 0; }

# Issue 26 item 5: PSK suites and AES-CCM. One s_server with a PSK (identity
# client1) and a certificate; five clients in turn: TLS 1.2 PSK-AES128-CCM,
# PSK-AES128-CCM8 and RSA-PSK-AES128-GCM-SHA256 (keys: --psk, and --rsa-key for
# RSA-PSK), ECDHE-PSK-CHACHA20-POLY1305 (key log only: its ECDHE secret is never on
# the wire), TLS 1.3 TLS_AES_128_CCM_SHA256 and TLS_AES_128_CCM_8_SHA256 (key log).
PSK_HEX=00112233445566778899aabbccddeeff
psk_client() {   # psk_client ARGS...: one s_client sending one line
    (exec {SRV}>&-; { env printf 'GET /psk HTTP/1.1\r\n\r\n'; sleep 0.8; } | timeout "$TIME_LIMIT" openssl s_client \
        -connect "127.0.0.1:$PORT" -servername server.test -CAfile "$PKI/ca.pem" -keylogfile "$KEYS" "$@" >>"$OUT/client.log" 2>&1) || true
}
scenario_psk-ccm() {
    need openssl openssl
    begin
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 6 -cert "$PKI/server.pem" -key "$PKI/server.key" \
        -psk "$PSK_HEX" -psk_identity client1 \
        -cipher 'PSK-AES128-CCM:PSK-AES128-CCM8:RSA-PSK-AES128-GCM-SHA256:ECDHE-PSK-CHACHA20-POLY1305:@SECLEVEL=0' \
        -ciphersuites 'TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256'
    wait_for "$OUT/server.log" '^ACCEPT'
    local cipher n=0
    for cipher in PSK-AES128-CCM PSK-AES128-CCM8 RSA-PSK-AES128-GCM-SHA256 ECDHE-PSK-CHACHA20-POLY1305; do
        psk_client -tls1_2 -psk "$PSK_HEX" -psk_identity client1 -cipher "$cipher:@SECLEVEL=0"
        n=$((n + 1)); wait_for "$OUT/server.log" '^GET /psk' "$n"
    done
    for cipher in TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256; do
        psk_client -tls1_3 -ciphersuites "$cipher"
        n=$((n + 1)); wait_for "$OUT/server.log" '^GET /psk' "$n"
    done
    { exec {SRV}>&-; } 2>/dev/null || true
    wait_exit "$SRV_PID" 8 server
    stop_capture
}

# Issue 26 item 8: certificates with thousands of names. Two s_servers in turn,
# one with a 10,000-name certificate (~280 KB: over the 256 KiB message cap,
# read whole up to 1 MiB), one with 40,000 names (~1.1 MB: over 1 MiB). The
# client is a raw TLS 1.2 ClientHello that reads the server's whole flight and
# leaves (OpenSSL's own client refuses chains over 100 KB before they arrive).
big_certificate() {   # big_certificate NAMES NAME: a self-signed RSA certificate with NAMES DNS names
    python3 - "$1" "$OUT/$2.cnf" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=big.test\n[ext]\nsubjectAltName=@alt\n[alt]\n")
    for i in range(n):
        f.write(f"DNS.{i + 1}=host{i:05d}.big.example.test\n")
PY
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$OUT/$2.key" -out "$OUT/$2.pem" -days 30 -config "$OUT/$2.cnf" 2>>"$OUT/gen.log" ||
        fail "could not make the $1-name certificate"
}
raw_hello_client() {   # sends a TLS 1.2 ClientHello, reads until the server's flight ends (ServerHelloDone) or 5 s
    python3 - "$PORT" >>"$OUT/client.log" 2>&1 <<'PY'
import os, socket, struct, sys, time
port = int(sys.argv[1])
def ext(t, body): return struct.pack(">HH", t, len(body)) + body
exts = (ext(0, struct.pack(">HBH", 11, 0, 8) + b"big.test") + ext(10, bytes.fromhex("0004001d0017")) + ext(11, b"\x01\x00")
        + ext(13, bytes.fromhex("000408040401")) + ext(0xff01, b"\x00"))
body = b"\x03\x03" + os.urandom(32) + b"\x00" + bytes.fromhex("0004c02f009c") + b"\x01\x00" + struct.pack(">H", len(exts)) + exts
hello = b"\x01" + len(body).to_bytes(3, "big") + body
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"\x16\x03\x01" + struct.pack(">H", len(hello)) + hello)
s.settimeout(5)
data, end = b"", time.time() + 5
while time.time() < end and not data.endswith(bytes.fromhex("0e000000")):
    chunk = s.recv(1 << 16)
    if not chunk: break
    data += chunk
print("read", len(data), "bytes", "done" if data.endswith(bytes.fromhex("0e000000")) else "cut")
s.close()
PY
}
scenario_large-certificate() {
    need openssl openssl
    need python3 python3
    big_certificate 10000 names10k
    big_certificate 40000 names40k
    begin
    local name
    for name in names10k names40k; do
        (sleep 6 | timeout "$TIME_LIMIT" openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -tls1_2 \
            -cert "$OUT/$name.pem" -key "$OUT/$name.key" >"$OUT/server-$name.log" 2>&1) &
        PIDS+=($!)
        wait_for "$OUT/server-$name.log" '^ACCEPT'
        raw_hello_client
        wait_for "$OUT/client.log" '^read .* done' "$([[ $name == names10k ]] && echo 1 || echo 2)"
        sleep 0.2
    done
    stop_capture
}

# Issue 26 item 4: SSL 3.0 between tlslite-ng peers (Peers/ssl3_peer.py), static
# RSA, one connection per cipher: RC4-MD5, RC4-SHA, AES128-SHA, 3DES-SHA.
scenario_ssl3-tlslite() {
    need python3 python3
    python3 -c 'import tlslite' 2>/dev/null || missing_tool "tlslite-ng is missing: pip install tlslite-ng (make test-deps installs it)"
    begin
    timeout "$TIME_LIMIT" python3 "$HERE/ssl3_peer.py" "$PORT" "$PKI/server.pem" "$PKI/server.key" rc4-md5 rc4-sha aes128-sha 3des-sha \
        >"$OUT/client.log" 2>&1 || { cat "$OUT/client.log" >&2; fail "the SSL 3.0 peers failed"; }
    stop_capture
}

# Issue 26 item 2: a renegotiation that RESUMES the connection's session (an
# abbreviated handshake inside it), by session id (s_server -no_ticket) or by
# ticket (-no_cache), static RSA: captures/tools/openssl-resuming-renegotiation.c
# (SSL_renegotiate_abbreviated) against s_server -client_renegotiation -rev.
resumed_renegotiation() {
    need openssl openssl
    local bin
    bin=$(openssl_tool openssl-resuming-renegotiation)
    begin
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -rev -client_renegotiation -tls1_2 \
        -cipher AES128-GCM-SHA256 -cert "$PKI/server.pem" -key "$PKI/server.key" "$@"
    wait_for "$OUT/server.log" '^ACCEPT'
    (exec {SRV}>&-; timeout "$TIME_LIMIT" "$bin" "$PORT" AES128-GCM-SHA256 "$KEYS" >"$OUT/client.log" 2>&1) ||
        { cat "$OUT/client.log" >&2; fail "the resuming renegotiation failed"; }
    grep -q '^RESUMED 1' "$OUT/client.log" || fail "the renegotiation did not resume"
    { exec {SRV}>&-; } 2>/dev/null || true
    wait_exit "$SRV_PID" 8 server
    stop_capture
}
scenario_renegotiation-resumed-id-tls12() { resumed_renegotiation -no_ticket; }
scenario_renegotiation-resumed-ticket-tls12() { resumed_renegotiation -no_cache; }

# Issue 26 item 10: the server's FIN is not captured (a filter drops the server's
# data-less FIN segments) while the client acknowledges it: that ack is one past
# the server's last byte, and no byte was lost.
scenario_uncaptured-server-fin() {
    pick_port
    CAPTURE_FILTER_EXTRA="not (src port $PORT and tcp[tcpflags] & tcp-fin != 0 and ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) == 0)"
    start_capture
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" "${ECDHE12[@]}"
    ossl_client "${ECDHE12[@]}"
    send_request
    send_response
    finish
    need tcpdump tcpdump
    tcpdump -r "$PCAP" -n "src port $PORT and tcp[tcpflags] & tcp-fin != 0" 2>/dev/null | grep -q . &&
        fail "the server's FIN was captured (it sent its FIN with data)"
    return 0
}

# Issue 26 item 9: TLS 1.2 inside WebSocket frames after an HTTP Upgrade
# (Peers/websocket_tls_peer.py, Python's ssl on both ends): the client's frames
# are masked, the server's are not.
scenario_tls-in-websocket() {
    need python3 python3
    begin
    timeout "$TIME_LIMIT" python3 "$HERE/websocket_tls_peer.py" "$PORT" "$PKI/server.pem" "$PKI/server.key" >"$OUT/client.log" 2>&1 ||
        { cat "$OUT/client.log" >&2; fail "the WebSocket peers failed"; }
    stop_capture
}

# Issue 26 item 4 (3DES beyond SSL 3.0): TLS 1.2 TLS_RSA_WITH_3DES_EDE_CBC_SHA between
# GnuTLS peers (Debian's OpenSSL has no 3DES suite), one line echoed.
DES3_TLS12='NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC:-MAC-ALL:+SHA1:-KX-ALL:+RSA:%COMPAT'
scenario_des3-tls12-gnutls() {
    need gnutls-serv gnutls-bin
    begin
    SERVER_PERSISTENT=1
    start_server gnutls-serv --echo --disable-client-cert --nodb --noticket -p "$PORT" \
        --x509certfile "$PKI/server.pem" --x509keyfile "$PKI/server.key" --priority "$DES3_TLS12"
    wait_for "$OUT/server.log" 'listening'
    gnutls_client "$DES3_TLS12"
    to_client 'GET /3des-tls12\n'
    wait_for "$OUT/client.log" '^GET /3des-tls12'
    close_client_stdin
    finish
}

# ---------------------------------------------------------------- main

if [[ $SCENARIO == matrix-* ]]; then
    matrix_scenario "${SCENARIO#matrix-}"
else
    "scenario_$SCENARIO"
fi
echo "$PCAP"
