#!/usr/bin/env bash
# Regenerates the bundled sample captures in captures/ from real OpenSSL and
# GnuTLS peers talking over loopback (see captures/README.md for what each
# capture shows). Runs as root on Debian 12; installs what it needs.
#
#   bash captures/generate.sh            # all scenarios
#   bash captures/generate.sh NAME...    # only these (e.g. tls13 ecdhe-tls12)
#
# Every scenario is driven step by step: the script waits for each peer to
# print that a step happened before it triggers the next one, so the message
# sequence on the wire is the same on every run (randoms, keys, timestamps
# and ephemeral ports of course differ). Outputs of a scenario are written to
# a scratch directory and moved into captures/ only once the scenario passed,
# so a failed run never leaves half a capture behind.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PKI=$HERE/pki
WORK=$(mktemp -d /tmp/tlsdump-captures.XXXXXX)
chmod 755 "$WORK"
BIN=$WORK/bin
mkdir -p "$BIN"

# ---------------------------------------------------------------- setup

apt_install() {
    if [[ -z ${APT_UPDATED:-} ]]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
need() { # command debian-package
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}
need openssl openssl
need gnutls-serv gnutls-bin
need tcpdump tcpdump
need tshark tshark
need python3 python3
need gcc gcc
need pkg-config pkg-config
pkg-config --exists gnutls || apt_install libgnutls28-dev

# Independent of the machine's openssl.cnf (MinProtocol, SECLEVEL, ...).
: > "$WORK/openssl.cnf"
export OPENSSL_CONF=$WORK/openssl.cnf
# No GnuTLS system-wide priority file either.
export GNUTLS_SYSTEM_PRIORITY_FILE=/dev/null

bash "$HERE/tools/make-pki.sh" "$PKI"

gcc -O2 -Wall -o "$BIN/gnutls-reneg-server" "$HERE/tools/gnutls-reneg-server.c" $(pkg-config --cflags --libs gnutls)

# ---------------------------------------------------------------- process bookkeeping

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    if [[ -z ${KEEP_WORK:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "generate.sh: $SCENARIO: $*" >&2; exit 1; }

# wait_for FILE ERE [COUNT] [TIMEOUT_S]: until FILE has COUNT lines matching ERE.
wait_for() {
    local file=$1 re=$2 count=${3:-1} timeout=${4:-15} i n
    for ((i = 0; i < timeout * 20; i++)); do
        n=$(grep -cE -- "$re" "$file" 2>/dev/null || true)
        (( ${n:-0} >= count )) && return 0
        sleep 0.05
    done
    echo "--- $file (tail):" >&2; tail -n 30 "$file" >&2 || true
    fail "timed out waiting for $count x /$re/ in $(basename "$file")"
}

# wait_exit PID [TIMEOUT_S]: until the process ended (it is killed after the timeout).
wait_exit() {
    local pid=$1 timeout=${2:-10} i
    for ((i = 0; i < timeout * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    fail "process $pid did not end within ${timeout}s"
}

# Each scenario has its own server port (44300 + its index in SCENARIOS), so a
# capture's port is stable across runs; a port that is busy (listening or
# connected, not merely in TIME_WAIT) moves the scenario to the next free one.
port_busy() { ss -Htan state listening state established state syn-sent "( sport = :$1 or dport = :$1 )" | grep -q .; }
pick_port() {
    local i
    PORT=44300
    for i in "${!SCENARIOS[@]}"; do [[ ${SCENARIOS[$i]} == "$1" ]] && PORT=$((44300 + i)); done
    while port_busy "$PORT"; do PORT=$((PORT + 100)); done
}

# begin NAME: picks a port and starts tcpdump on lo for it.
begin() {
    SCENARIO=$1
    OUT=$WORK/out/$SCENARIO
    rm -rf "$OUT"; mkdir -p "$OUT"
    pick_port "$SCENARIO"
    tcpdump -i lo -U --immediate-mode -n -s 262144 -Z root -w "$OUT/$SCENARIO.pcap" "tcp port $PORT" 2>"$OUT/tcpdump.log" &
    CAP_PID=$!; PIDS+=("$CAP_PID")
    wait_for "$OUT/tcpdump.log" 'listening on' 1 10
}

# start_server CMD...: runs CMD with stdin from a fifo (written through fd SRV) and
# stdout+stderr in $OUT/server.log.
start_server() {
    mkfifo "$OUT/server.in"
    timeout 60 stdbuf -o0 -e0 "$@" <"$OUT/server.in" >"$OUT/server.log" 2>&1 &
    SRV_PID=$!; PIDS+=("$SRV_PID")
    exec {SRV}>"$OUT/server.in"
}

# start_client CMD...: the same for the client, fd CLI, log $OUT/client.log (without
# inheriting the server's fifo, whose end of file must stay the script's to give).
start_client() {
    mkfifo "$OUT/client.in"
    (exec {SRV}>&-; exec timeout 60 stdbuf -o0 -e0 "$@" <"$OUT/client.in" >"$OUT/client.log" 2>&1) &
    CLI_PID=$!; PIDS+=("$CLI_PID")
    exec {CLI}>"$OUT/client.in"
}

# One write(2) per call (bash's builtin printf may split its output), so that a
# message goes out as one TLS record.
to_server() { env printf "$@" >&"$SRV"; }
to_client() { env printf "$@" >&"$CLI"; }
close_client_stdin() { exec {CLI}>&-; }
close_server_stdin() { exec {SRV}>&-; }

# finish: waits for both peers, stops the capture cleanly and installs the files.
finish() {
    { exec {CLI}>&-; } 2>/dev/null || true
    wait_exit "$CLI_PID" 15
    { exec {SRV}>&-; } 2>/dev/null || true
    if [[ ${SERVER_PERSISTENT:-} == 1 ]]; then   # gnutls-serv never exits by itself
        sleep 0.3
        kill "$SRV_PID" 2>/dev/null || true
    fi
    SERVER_PERSISTENT=
    wait_exit "$SRV_PID" 15
    sleep 0.5
    kill -INT "$CAP_PID"
    wait "$CAP_PID" 2>/dev/null || true
    [[ -s $OUT/$SCENARIO.keys ]] || fail "empty key log"
    check_capture   # sets GOT
    cp "$OUT/$SCENARIO.pcap" "$OUT/$SCENARIO.keys" "$HERE/"
    sed -e 's/\r$//' "$OUT/client.log" > "$HERE/$SCENARIO.msg.txt"
    if [[ ${KEEP_SERVER_LOG:-} == 1 ]]; then
        sed -e 's/\r$//' "$OUT/server.log" > "$HERE/$SCENARIO.server.msg.txt"
    else
        rm -f "$HERE/$SCENARIO.server.msg.txt"
    fi
    KEEP_SERVER_LOG=
    # README.md quotes every expected sequence as the tests' ground truth.
    [[ $(<"$HERE/README.md") == *"$EXPECT"* ]] || echo "warning: README.md does not show the sequence of $SCENARIO" >&2
    echo "ok  $SCENARIO (port $PORT, $(wc -l <<<"$GOT") records)"
}

# sequence PCAP KEYS: the decrypted record sequence (see tools/sequence.py).
sequence() { python3 "$HERE/tools/sequence.py" "$1" "$2"; }

# check_capture: the expected sequence (EXPECT, one item per line) must match.
check_capture() {
    GOT=$(sequence "$OUT/$SCENARIO.pcap" "$OUT/$SCENARIO.keys")
    if [[ "$GOT" != "$EXPECT" ]]; then
        echo "--- expected:"; echo "$EXPECT"; echo "--- got:"; echo "$GOT"
        fail "unexpected message sequence"
    fi >&2
}

# ---------------------------------------------------------------- building blocks

HTTP_REQUEST='GET / HTTP/1.1\r\nHost: server.test\r\n\r\n'
HTTP_RESPONSE='HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n'
LEGACY='@SECLEVEL=0'   # TLS 1.0, SHA-1/MD5 signatures, 1024-bit RSA

# ossl_server ARGS...: openssl s_server for one connection on $PORT, commands on stdin.
# -no_cache/-no_ticket: a renegotiation is always a full handshake.
ossl_server() {
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -no_cache -no_ticket -msg -state "$@"
    wait_for "$OUT/server.log" '^ACCEPT'
}

# ossl_client ARGS...: openssl s_client to $PORT with SNI server.test, key log, -msg -state.
ossl_client() {
    start_client openssl s_client -connect "127.0.0.1:$PORT" -servername server.test -CAfile "$PKI/ca.pem" \
        -keylogfile "$OUT/$SCENARIO.keys" -msg -state "$@"
    wait_for "$OUT/server.log" '^CIPHER is'
}

# send_request / send_response: GET from the client, answer from the server, each
# waited for on the other side.
send_request() {
    to_client "$HTTP_REQUEST"
    wait_for "$OUT/server.log" '^GET / HTTP/1.1'
}
send_response() {
    to_server "$HTTP_RESPONSE"
    wait_for "$OUT/client.log" '^hello'
}

# plain_https NAME SERVER-ARGS -- CLIENT-ARGS: handshake, one request and response,
# then the client's stdin ends: close_notify from the client, answered by the server.
plain_https() {
    local name=$1; shift
    local sargs=() cargs=()
    while [[ $1 != -- ]]; do sargs+=("$1"); shift; done; shift
    cargs=("$@")
    begin "$name"
    ossl_server "${sargs[@]}"
    ossl_client "${cargs[@]}"
    send_request
    send_response
    finish
}

# The record sequences every scenario must produce (tools/sequence.py format).
# Shared pieces (first handshakes of TLS <= 1.2 with RSA and ECDHE key exchange):
RSA_KX_FIRST='C handshake ClientHello(1)
S handshake ServerHello(2)
S handshake Certificate(11)
S handshake ServerHelloDone(14)
C handshake ClientKeyExchange(16)
C change_cipher_spec
C [enc] handshake Finished(20)
S change_cipher_spec
S [enc] handshake Finished(20)'
ECDHE_FIRST='C handshake ClientHello(1)
S handshake ServerHello(2)
S handshake Certificate(11)
S handshake ServerKeyExchange(12)
S handshake ServerHelloDone(14)
C handshake ClientKeyExchange(16)
C change_cipher_spec
C [enc] handshake Finished(20)
S change_cipher_spec
S [enc] handshake Finished(20)'
CLOSE_C_FIRST='C [enc] alert warning(1) close_notify(0)
S [enc] alert warning(1) close_notify(0)'
# TLS 1.0 CBC: OpenSSL sends an empty record before each application data record
# (the BEAST countermeasure), so every write shows as two records.
REQ10='C [enc] application_data
C [enc] application_data'
RESP10='S [enc] application_data
S [enc] application_data'

# ---------------------------------------------------------------- scenarios

SCENARIOS=()

# 1. The IIS story: plain TLS 1.0 handshake with a 1024-bit RSA server key and RSA
# key exchange, an HTTP request, then the server sends HelloRequest and asks for a
# client certificate in the renegotiation; the client presents one.
SCENARIOS+=(iis-renegotiation-tls10)
scenario_iis-renegotiation-tls10() {
    EXPECT="$RSA_KX_FIRST
$REQ10
S [enc] handshake HelloRequest(0)
C [enc] handshake ClientHello(1)
S [enc] handshake ServerHello(2)
S [enc] handshake Certificate(11)
S [enc] handshake CertificateRequest(13)
S [enc] handshake ServerHelloDone(14)
C [enc] handshake Certificate(11)
C [enc] handshake ClientKeyExchange(16)
C [enc] handshake CertificateVerify(15)
C [enc] change_cipher_spec
C [enc] handshake Finished(20)
S [enc] change_cipher_spec
S [enc] handshake Finished(20)
$RESP10
$CLOSE_C_FIRST"
    begin iis-renegotiation-tls10
    KEEP_SERVER_LOG=1
    ossl_server -cert "$PKI/server1024.pem" -key "$PKI/server1024.key" -CAfile "$PKI/ca.pem" \
        -tls1 -cipher "AES128-SHA:$LEGACY"
    ossl_client -tls1 -cipher "AES128-SHA:$LEGACY" -cert "$PKI/client.pem" -key "$PKI/client.key"
    send_request
    to_server 'R\n'          # HelloRequest; verify mode PEER: CertificateRequest in the new handshake
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
}

# 2. Like 1 on TLS 1.2 with ECDHE, but the client has no certificate: it answers the
# renegotiation's CertificateRequest with an empty Certificate and the server goes on.
SCENARIOS+=(renegotiation-no-client-cert-tls12)
scenario_renegotiation-no-client-cert-tls12() {
    EXPECT="$ECDHE_FIRST
C [enc] application_data
S [enc] handshake HelloRequest(0)
C [enc] handshake ClientHello(1)
S [enc] handshake ServerHello(2)
S [enc] handshake Certificate(11)
S [enc] handshake ServerKeyExchange(12)
S [enc] handshake CertificateRequest(13)
S [enc] handshake ServerHelloDone(14)
C [enc] handshake Certificate(11)
C [enc] handshake ClientKeyExchange(16)
C [enc] change_cipher_spec
C [enc] handshake Finished(20)
S [enc] change_cipher_spec
S [enc] handshake Finished(20)
S [enc] application_data
$CLOSE_C_FIRST"
    begin renegotiation-no-client-cert-tls12
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" \
        -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    ossl_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    send_request
    to_server 'R\n'
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
}

# 3. The server sends HelloRequest, the client refuses (s_client -no_renegotiation):
# warning no_renegotiation; OpenSSL's server then fails the connection.
SCENARIOS+=(renegotiation-refused-by-client)
scenario_renegotiation-refused-by-client() {
    EXPECT="$ECDHE_FIRST
C [enc] application_data
S [enc] handshake HelloRequest(0)
C [enc] alert warning(1) no_renegotiation(100)
S [enc] alert fatal(2) handshake_failure(40)"
    begin renegotiation-refused-by-client
    KEEP_SERVER_LOG=1
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" \
        -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    ossl_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -no_renegotiation
    send_request
    to_server 'R\n'
    wait_exit "$SRV_PID" 10
    finish
}

# 4a. The client renegotiates (s_client command R) and the server allows it.
SCENARIOS+=(client-renegotiation-accepted)
scenario_client-renegotiation-accepted() {
    EXPECT="$ECDHE_FIRST
C [enc] application_data
C [enc] handshake ClientHello(1)
S [enc] handshake ServerHello(2)
S [enc] handshake Certificate(11)
S [enc] handshake ServerKeyExchange(12)
S [enc] handshake ServerHelloDone(14)
C [enc] handshake ClientKeyExchange(16)
C [enc] change_cipher_spec
C [enc] handshake Finished(20)
S [enc] change_cipher_spec
S [enc] handshake Finished(20)
S [enc] application_data
$CLOSE_C_FIRST"
    begin client-renegotiation-accepted
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 \
        -client_renegotiation
    ossl_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    send_request
    to_client 'R\n'
    wait_for "$OUT/client.log" '^<<< .*Finished' 2
    send_response
    finish
}

# 4b. The client renegotiates and the server refuses (OpenSSL 3 default).
SCENARIOS+=(client-renegotiation-refused)
scenario_client-renegotiation-refused() {
    EXPECT="$ECDHE_FIRST
C [enc] application_data
C [enc] handshake ClientHello(1)
S [enc] alert warning(1) no_renegotiation(100)
C [enc] alert fatal(2) handshake_failure(40)"
    begin client-renegotiation-refused
    KEEP_SERVER_LOG=1
    ossl_server -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    ossl_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
    send_request
    to_client 'R\n'
    wait_exit "$CLI_PID" 10
    finish
}

# 6. CertificateRequest in the first handshake; the client presents its certificate.
SCENARIOS+=(certreq-initial-tls12)
scenario_certreq-initial-tls12() {
    EXPECT="C handshake ClientHello(1)
S handshake ServerHello(2)
S handshake Certificate(11)
S handshake ServerKeyExchange(12)
S handshake CertificateRequest(13)
S handshake ServerHelloDone(14)
C handshake Certificate(11)
C handshake ClientKeyExchange(16)
C handshake CertificateVerify(15)
C change_cipher_spec
C [enc] handshake Finished(20)
S change_cipher_spec
S [enc] handshake Finished(20)
C [enc] application_data
S [enc] application_data
$CLOSE_C_FIRST"
    plain_https certreq-initial-tls12 -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" \
        -verify 1 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -- \
        -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -cert "$PKI/client.pem" -key "$PKI/client.key"
}

# 7. Plain TLS 1.2 / 1.0 connections of several cipher families (for decryption tests).
PLAIN12_ECDHE="$ECDHE_FIRST
C [enc] application_data
S [enc] application_data
$CLOSE_C_FIRST"
SCENARIOS+=(ecdhe-tls12)
scenario_ecdhe-tls12() {
    EXPECT=$PLAIN12_ECDHE
    plain_https ecdhe-tls12 -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 \
        -cipher ECDHE-RSA-AES256-GCM-SHA384 -- -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
}
SCENARIOS+=(chacha20-tls12)
scenario_chacha20-tls12() {
    EXPECT=$PLAIN12_ECDHE
    plain_https chacha20-tls12 -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 \
        -cipher ECDHE-RSA-CHACHA20-POLY1305 -- -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
}
SCENARIOS+=(aes-cbc-tls12)
scenario_aes-cbc-tls12() {
    EXPECT="$RSA_KX_FIRST
C [enc] application_data
S [enc] application_data
$CLOSE_C_FIRST"
    plain_https aes-cbc-tls12 -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_2 \
        -cipher AES256-SHA256 -- -tls1_2 -cipher AES256-SHA256
}
SCENARIOS+=(aes-cbc-tls10)
scenario_aes-cbc-tls10() {
    EXPECT="$RSA_KX_FIRST
$REQ10
$RESP10
$CLOSE_C_FIRST"
    plain_https aes-cbc-tls10 -cert "$PKI/server1024.pem" -key "$PKI/server1024.key" -tls1 \
        -cipher "AES128-SHA:$LEGACY" -- -tls1 -cipher "AES128-SHA:$LEGACY"
}

# 8a. TLS 1.3, TLS_AES_128_GCM_SHA256, one NewSessionTicket.
SCENARIOS+=(tls13)
scenario_tls13() {
    EXPECT="C handshake ClientHello(1)
S handshake ServerHello(2)
S change_cipher_spec
S [enc] handshake EncryptedExtensions(8)
S [enc] handshake Certificate(11)
S [enc] handshake CertificateVerify(15)
S [enc] handshake Finished(20)
C change_cipher_spec
C [enc] handshake Finished(20)
S [enc] handshake NewSessionTicket(4)
C [enc] application_data
S [enc] application_data
$CLOSE_C_FIRST"
    begin tls13
    start_server openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -num_tickets 1 -msg -state \
        -cert "$PKI/server.pem" -key "$PKI/server.key" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
    wait_for "$OUT/server.log" '^ACCEPT'
    ossl_client -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
    send_request
    send_response
    finish
}

# 8b. TLS 1.3 post-handshake client authentication (server command c) after the
# request, then a KeyUpdate from the server (command k: update_not_requested; with K
# the client would owe a KeyUpdate that OpenSSL only sends before its next write).
SCENARIOS+=(tls13-pha)
scenario_tls13-pha() {
    EXPECT="C handshake ClientHello(1)
S handshake ServerHello(2)
S change_cipher_spec
S [enc] handshake EncryptedExtensions(8)
S [enc] handshake Certificate(11)
S [enc] handshake CertificateVerify(15)
S [enc] handshake Finished(20)
C change_cipher_spec
C [enc] handshake Finished(20)
C [enc] application_data
S [enc] handshake CertificateRequest(13)
C [enc] handshake Certificate(11)
C [enc] handshake CertificateVerify(15)
C [enc] handshake Finished(20)
S [enc] handshake KeyUpdate(24)
S [enc] application_data
C [enc] opaque
S [enc] alert warning(1) close_notify(0)"
    # "C [enc] opaque" is the client's close_notify (the server's -msg trace shows it):
    # tshark 4.0 restarts the client's record sequence number at the post-handshake
    # Finished, so it cannot decrypt anything the client sends after it.
    begin tls13-pha
    KEEP_SERVER_LOG=1
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

# ---------------------------------------------------------------- GnuTLS scenarios

RC4_MD5_TLS10='NORMAL:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+MD5:-KX-ALL:+RSA:%COMPAT'

# gnutls_client PRIORITY [ARGS...]: gnutls-cli to $PORT with SNI server.test, key log
# through SSLKEYLOGFILE; waits until its handshake is done.
gnutls_client() {
    local prio=$1; shift
    start_client env SSLKEYLOGFILE="$OUT/$SCENARIO.keys" gnutls-cli 127.0.0.1 -p "$PORT" \
        --sni-hostname server.test --verify-hostname server.test --x509cafile "$PKI/ca.pem" \
        --priority "$prio" "$@"
    wait_for "$OUT/client.log" '^- Simple Client Mode'
}

# gnutls_echo NAME PRIORITY CERT KEY: gnutls-serv --echo (no CertificateRequest), one
# line from gnutls-cli echoed back, then the client's stdin ends.
gnutls_echo() {
    local name=$1 prio=$2 cert=$3 key=$4
    begin "$name"
    SERVER_PERSISTENT=1
    start_server gnutls-serv --echo --disable-client-cert --nodb --noticket -p "$PORT" \
        --x509certfile "$cert" --x509keyfile "$key" --priority "$prio"
    wait_for "$OUT/server.log" 'listening'
    gnutls_client "$prio"
    to_client 'hello over tls\n'
    wait_for "$OUT/client.log" '^hello over tls'
    close_client_stdin
    finish
}

# 5. GnuTLS client and server, TLS 1.0, TLS_RSA_WITH_RC4_128_MD5, 1024-bit RSA key.
SCENARIOS+=(rc4-md5-tls10-gnutls)
scenario_rc4-md5-tls10-gnutls() {
    EXPECT="$RSA_KX_FIRST
C [enc] application_data
S [enc] application_data
$CLOSE_C_FIRST"
    gnutls_echo rc4-md5-tls10-gnutls "$RC4_MD5_TLS10" "$PKI/server1024.pem" "$PKI/server1024.key"
}

# 9. GnuTLS client and server, TLS 1.2 (GnuTLS's default suite), SNI server.test.
SCENARIOS+=(gnutls-tls12)
scenario_gnutls-tls12() {
    EXPECT=$PLAIN12_ECDHE
    gnutls_echo gnutls-tls12 'NORMAL:-VERS-ALL:+VERS-TLS1.2' "$PKI/server.pem" "$PKI/server.key"
}

# 1b. The IIS story with the original suite, RC4-MD5 on TLS 1.0 and a 1024-bit key:
# tools/gnutls-reneg-server.c as the server (HelloRequest, then a CertificateRequest
# in the renegotiation), gnutls-cli with a client certificate as the client.
SCENARIOS+=(iis-renegotiation-rc4-md5)
scenario_iis-renegotiation-rc4-md5() {
    EXPECT="$RSA_KX_FIRST
C [enc] application_data
S [enc] handshake HelloRequest(0)
C [enc] handshake ClientHello(1)
S [enc] handshake ServerHello(2)
S [enc] handshake Certificate(11)
S [enc] handshake CertificateRequest(13)
S [enc] handshake ServerHelloDone(14)
C [enc] handshake Certificate(11)
C [enc] handshake ClientKeyExchange(16)
C [enc] handshake CertificateVerify(15)
C [enc] change_cipher_spec
C [enc] handshake Finished(20)
S [enc] change_cipher_spec
S [enc] handshake Finished(20)
S [enc] application_data
$CLOSE_C_FIRST"
    begin iis-renegotiation-rc4-md5
    KEEP_SERVER_LOG=1
    start_server "$BIN/gnutls-reneg-server" "$PORT" "$PKI/server1024.pem" "$PKI/server1024.key" \
        "$PKI/ca.pem" "$RC4_MD5_TLS10"
    wait_for "$OUT/server.log" '^LISTENING'
    gnutls_client "$RC4_MD5_TLS10" --x509certfile "$PKI/client.pem" --x509keyfile "$PKI/client.key"
    to_client "$HTTP_REQUEST"
    wait_for "$OUT/server.log" '^RESPONSE'
    wait_for "$OUT/client.log" '^hello'
    close_client_stdin
    wait_for "$OUT/server.log" '^CLOSED'
    finish
}

# 12. Markup in every name the peers send, for the HTML report's escaping: a
# self-signed server certificate whose subject CN is <script>alert(1)</script>
# (made here, not in pki/), SNI <script>alert(2)</script>, ALPN
# <img src=x onerror=alert(3)>. Plain TLS 1.2 ECDHE, so the certificate is in clear.
SCENARIOS+=(html-injection-tls12)
scenario_html-injection-tls12() {
    EXPECT=$PLAIN12_ECDHE
    local alpn='<img src=x onerror=alert(3)>'
    begin html-injection-tls12
    openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj '/O=tlsdump/CN=<script>alert(1)<\/script>' \
        -keyout "$OUT/markup.key" -out "$OUT/markup.pem" 2>"$OUT/req.log" || fail "openssl req failed"
    ossl_server -cert "$OUT/markup.pem" -key "$OUT/markup.key" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -alpn "$alpn"
    start_client openssl s_client -connect "127.0.0.1:$PORT" -servername '<script>alert(2)</script>' \
        -keylogfile "$OUT/$SCENARIO.keys" -msg -state -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -alpn "$alpn"
    wait_for "$OUT/server.log" '^CIPHER is'
    send_request
    send_response
    finish
}

# ---------------------------------------------------------------- main

selected=("$@")
[[ ${#selected[@]} -eq 0 ]] && selected=("${SCENARIOS[@]}")
for s in "${selected[@]}"; do
    SCENARIO=$s
    EXPECT=
    "scenario_$s"
done
