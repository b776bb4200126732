#!/usr/bin/env bash
# Certificate chains served by a real OpenSSL s_server on loopback, captured by
# tcpdump (ChainValidationTests). Makes a test PKI with openssl req/x509:
# root -> int1 -> int2 -> leaf (*.chain.test, SHA-256) and a SHA-1 signed leaf,
# then one connection per case, each with its own SNI:
#   good.chain.test      leaf, int2, int1           (in order)
#   missing.chain.test   leaf, int1                 (int2 missing)
#   order.chain.test     leaf, int1, int2           (out of order)
#   sha1.chain.test      sha1-leaf, int2, int1      (SHA-1 signature on the leaf)
#   other.example        leaf, int2, int1           (name mismatch)
# Prints the capture's path on stdout; WORKDIR keeps root.pem (give it as --ca-file).
# Exit status: 0 ok, 1 failed, 3 a tool is missing.
set -euo pipefail
OUT=${1:?usage: chains.sh WORKDIR}
mkdir -p "$OUT"
cd "$OUT"
for tool in openssl tcpdump timeout; do
    command -v $tool >/dev/null 2>&1 || { echo "chains.sh: '$tool' not found (make test-deps installs it)" >&2; exit 3; }
done
: > openssl.cnf
export OPENSSL_CONF=$OUT/openssl.cnf

ext() { printf '%s\n' "$@" > "$EXT"; }
EXT=$OUT/ext.cnf
# ca NAME SUBJECT ISSUER  (ISSUER empty: self-signed)
ca() {
    openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    ext "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=hash"
    if [[ -z $3 ]]; then
        openssl x509 -req -in "$1.csr" -signkey "$1.key" -days 3650 -sha256 -extfile "$EXT" -out "$1.pem" 2>/dev/null
    else
        openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 -sha256 -extfile "$EXT" -out "$1.pem" 2>/dev/null
    fi
}
# leaf NAME DIGEST
leaf() {
    openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=leaf.chain.test/O=tlsdump" -out "$1.csr" 2>/dev/null
    ext "basicConstraints=CA:FALSE" "subjectAltName=DNS:*.chain.test" "extendedKeyUsage=serverAuth"
    openssl x509 -req -in "$1.csr" -CA int2.pem -CAkey int2.key -CAcreateserial -days 825 "-$2" -extfile "$EXT" -out "$1.pem" 2>/dev/null
}
ca root "/CN=tlsdump chain root/O=tlsdump" ""
ca int1 "/CN=tlsdump chain int1/O=tlsdump" root
ca int2 "/CN=tlsdump chain int2/O=tlsdump" int1
leaf leaf sha256
leaf sha1leaf sha1
cat int2.pem int1.pem > chain-good.pem
cat int1.pem > chain-missing.pem
cat int1.pem int2.pem > chain-order.pem

PORT=$((20000 + RANDOM % 12000))
PCAP=$OUT/chains.pcap
timeout 60 tcpdump -i lo -U -s 0 -w "$PCAP" "tcp portrange $PORT-$((PORT + 4))" 2>tcpdump.log &
CAP=$!
trap 'kill $CAP 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "listening" tcpdump.log 2>/dev/null && break; sleep 0.1; done

# serve N CERT CHAIN SNI: one s_server connection, one s_client handshake.
serve() {
    local port=$((PORT + $1))
    local hex
    hex=$(printf ':%04X [0-9A-F]+:0000 0A' "$port")
    timeout 20 openssl s_server -accept "$port" -cert "$2.pem" -key "$2.key" -cert_chain "$3" \
        -cipher 'DEFAULT:@SECLEVEL=0' -tls1_2 -naccept 1 -quiet >"server-$1.log" 2>&1 &
    local server=$!
    # Listening once the socket shows in /proc/net/tcp (a probe connection would use up -naccept 1).
    for _ in $(seq 100); do grep -qE -- "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && break; sleep 0.05; done
    echo Q | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername "$4" -cipher 'DEFAULT:@SECLEVEL=0' \
        >"client-$1.log" 2>&1 || true
    wait $server 2>/dev/null || true
}
serve 0 leaf chain-good.pem good.chain.test
serve 1 leaf chain-missing.pem missing.chain.test
serve 2 leaf chain-order.pem order.chain.test
serve 3 sha1leaf chain-good.pem sha1.chain.test
serve 4 leaf chain-good.pem other.example
# Stop once the capture holds the five connections' SYNs and FINs (tcpdump writes each packet at once, -U).
for _ in $(seq 60); do
    syns=$(tcpdump -r "$PCAP" 'tcp[tcpflags] == tcp-syn' 2>/dev/null | wc -l)
    fins=$(tcpdump -r "$PCAP" 'tcp[tcpflags] & tcp-fin != 0' 2>/dev/null | wc -l)
    [[ $syns -ge 5 && $fins -ge 10 ]] && break
    sleep 0.1
done
sleep 0.2
kill -INT $CAP 2>/dev/null || true
wait $CAP 2>/dev/null || true
grep -q "BEGIN CERTIFICATE\|Server certificate" client-0.log || { echo "chains.sh: the first handshake failed: $(tail -3 client-0.log)" >&2; exit 1; }
echo "$PCAP"
