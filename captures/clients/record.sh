#!/usr/bin/env bash
# Records real client stacks against an openssl s_server that behaves like the
# seed's IIS, for the client catalogue (issue 28). Root, Debian 12; installs
# what it needs from Debian. Everything runs on loopback inside a private
# network namespace, so nothing reaches or is reached from the machine's network.
#
#   bash captures/clients/record.sh                 # every client x every scenario
#   bash captures/clients/record.sh CLIENT...       # only these clients
#   SCENARIOS="tls12-reneg" bash captures/clients/record.sh curl
#
# For each CLIENT and SCENARIO it writes, under captures/clients/CLIENT/:
#   SCENARIO.pcap         the connection(s), tcpdump on the namespace's lo
#   SCENARIO.keys         the server's key log (NSS format; covers every client,
#                         also those that write none: the JDK, Botan)
#   SCENARIO.report.json  what the client itself reported: exit code, HTTP status,
#                         error text, and the server's own view
# and captures/clients/versions.txt (each stack's version as installed).
#
# Scenarios (the server is openssl s_server, its stdin driven by this script;
# no session cache, so a renegotiation resumes only from a session ticket):
#   tls12-reneg-cache     (only when asked for) s_server's defaults: session cache and tickets on
#   tls12-reneg           TLS 1.2, session tickets on; after the first request a
#                         HelloRequest, and a CertificateRequest in the renegotiation
#   tls12-reneg-noticket  the same with session tickets off
#   tls10-reneg           the same in TLS 1.0
#   tls12-certreq-first   the certificate asked in the first handshake
#   tls13-pha             TLS 1.3: after the first request a post-handshake CertificateRequest
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PKI=$ROOT/captures/pki
NS=tlsdump-clients
WORK=$(mktemp -d /tmp/tlsdump-clients.XXXXXX)
chmod 755 "$WORK"
BIN=$WORK/bin
mkdir -p "$BIN"

ALL_CLIENTS=(openssl-s_client gnutls-cli curl wget python3-urllib node-https
             java-urlconnection java-httpclient go-default go-renegotiate-once botan chromium)
ALL_SCENARIOS=(tls12-reneg tls12-reneg-noticket tls10-reneg tls12-certreq-first tls13-pha)
read -r -a SCENARIO_LIST <<<"${SCENARIOS:-${ALL_SCENARIOS[*]}}"
if (( $# > 0 )); then CLIENT_LIST=("$@"); else CLIENT_LIST=("${ALL_CLIENTS[@]}"); fi

# ---------------------------------------------------------------- setup

apt_install() {
    if [[ -z ${APT_UPDATED:-} ]]; then apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
need() { command -v "$1" >/dev/null 2>&1 || apt_install "$2"; }
need openssl openssl
need tcpdump tcpdump
need gnutls-cli gnutls-bin
need curl curl
need wget wget
need go golang-go
need botan botan
need javac openjdk-17-jdk-headless
need node nodejs
need chromium chromium
need pk12util libnss3-tools
[[ -x /usr/bin/python3 ]] || apt_install python3

PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "/etc/netns/$NS"
    if [[ -z ${KEEP_WORK:-} ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The namespace: its own loopback, and server.test resolving to it
# (ip netns exec bind-mounts /etc/netns/NAME/hosts over /etc/hosts).
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
mkdir -p "/etc/netns/$NS"
printf '127.0.0.1 localhost server.test\n::1 localhost\n' > "/etc/netns/$NS/hosts"
mkdir -p "/etc/netns/$NS/chromium/policies/managed"
printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"[*.]server.test\\",\\"filter\\":{}}"]}\n' \
    > "/etc/netns/$NS/chromium/policies/managed/tlsdump-clients.json"
in_ns() { ip netns exec "$NS" "$@"; }

# Client programs and key stores.
(cd "$HERE/programs" && GOCACHE=$WORK/gocache GOPATH=$WORK/gopath GOFLAGS=-mod=mod GO111MODULE=off \
    go build -o "$BIN/goclient" client.go)
javac -d "$BIN" "$HERE/programs/Client.java"
openssl pkcs12 -export -in "$PKI/client.pem" -inkey "$PKI/client.key" -out "$BIN/client.p12" \
    -passout pass:changeit -name client 2>/dev/null
rm -f "$BIN/trust.p12"
keytool -importcert -noprompt -alias ca -file "$PKI/ca.pem" -keystore "$BIN/trust.p12" \
    -storetype PKCS12 -storepass changeit >/dev/null 2>&1
# Chromium: an NSS database with the CA trusted and the client certificate, and a
# policy that picks that certificate without asking (mounted over /etc/chromium
# inside the namespace only).
mkdir -p "$BIN/chrome-home/.pki/nssdb"
certutil -N --empty-password -d "sql:$BIN/chrome-home/.pki/nssdb"
certutil -A -n tlsdump-ca -t "C,," -i "$PKI/ca.pem" -d "sql:$BIN/chrome-home/.pki/nssdb"
pk12util -i "$BIN/client.p12" -W changeit -d "sql:$BIN/chrome-home/.pki/nssdb" >/dev/null
JAVA_OPTS=(-Djavax.net.ssl.keyStore="$BIN/client.p12" -Djavax.net.ssl.keyStorePassword=changeit
           -Djavax.net.ssl.keyStoreType=PKCS12 -Djavax.net.ssl.trustStore="$BIN/trust.p12"
           -Djavax.net.ssl.trustStorePassword=changeit -Djavax.net.ssl.trustStoreType=PKCS12)

# The server runs without the machine's openssl.cnf (it must speak TLS 1.0 when
# asked); the clients run as installed (Debian's openssl.cnf included).
: > "$WORK/openssl-server.cnf"

# ---------------------------------------------------------------- helpers

wait_for() { # FILE ERE TIMEOUT_S: 0 when FILE has a line matching ERE in time
    local file=$1 re=$2 timeout=$3 i
    for ((i = 0; i < timeout * 20; i++)); do
        grep -qE -- "$re" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
wait_count() { # FILE ERE COUNT TIMEOUT_S: 0 when FILE has COUNT lines matching ERE in time
    local file=$1 re=$2 count=$3 timeout=$4 i n
    for ((i = 0; i < timeout * 20; i++)); do
        n=$(grep -cE -- "$re" "$file" 2>/dev/null || true)
        (( ${n:-0} >= count )) && return 0
        sleep 0.05
    done
    return 1
}
wait_gone() { # PID TIMEOUT_S: 0 when it ended in time (else it is killed, 1)
    local pid=$1 timeout=$2 i
    for ((i = 0; i < timeout * 20; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    return 1
}

REQUEST='GET / HTTP/1.0\r\nHost: server.test\r\n\r\n'
# -crlf: s_server turns each \n into \r\n.
RESPONSE='HTTP/1.0 200 OK\nContent-Type: text/plain\nContent-Length: 7\nConnection: close\n\nhello\n'

# client_command CLIENT URL: the command line (run in the namespace, output to client.log).
client_command() {
    local client=$1 url=$2 port=${2##*:}
    port=${port%/}
    case $client in
    openssl-s_client)
        CMD=(bash -c "(printf '$REQUEST'; sleep 8) | openssl s_client -connect server.test:$port -servername server.test \
            -CAfile '$PKI/ca.pem' -cert '$PKI/client.pem' -key '$PKI/client.key' -enable_pha -quiet -verify_return_error" ) ;;
    gnutls-cli)
        CMD=(bash -c "(printf '$REQUEST'; sleep 8) | gnutls-cli server.test -p $port --x509cafile '$PKI/ca.pem' \
            --x509certfile '$PKI/client.pem' --x509keyfile '$PKI/client.key'") ;;
    botan)
        CMD=(bash -c "(printf '$REQUEST'; sleep 8) | botan tls_client server.test --port=$port \
            --trusted-cas='$PKI/ca.pem' --skip-system-cert-store") ;;
    curl)
        CMD=(curl -sS --http1.1 --cacert "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key"
             -w '\nSTATUS %{http_code}\n' "$url") ;;
    wget)
        CMD=(wget -O - -S --tries=1 --ca-certificate="$PKI/ca.pem" --certificate="$PKI/client.pem"
             --private-key="$PKI/client.key" "$url") ;;
    python3-urllib) CMD=(/usr/bin/python3 "$HERE/programs/client.py" "$url" "$PKI/ca.pem" "$PKI/client.pem" "$PKI/client.key") ;;
    node-https) CMD=(node "$HERE/programs/client.js" "$url" "$PKI/ca.pem" "$PKI/client.pem" "$PKI/client.key") ;;
    java-urlconnection) CMD=(java "${JAVA_OPTS[@]}" -cp "$BIN" Client urlconnection "$url") ;;
    java-httpclient) CMD=(java "${JAVA_OPTS[@]}" -cp "$BIN" Client httpclient "$url") ;;
    go-default) CMD=("$BIN/goclient" -reneg never -ca "$PKI/ca.pem" -cert "$PKI/client.pem" -key "$PKI/client.key" "$url") ;;
    chromium) CMD=(env HOME="$BIN/chrome-home" chromium --headless=new --no-sandbox --disable-gpu --no-first-run
                   --disable-background-networking --user-data-dir="$WORK/chrome-profile-$port" --dump-dom "$url") ;;
    go-renegotiate-once) CMD=("$BIN/goclient" -reneg once -ca "$PKI/ca.pem" -cert "$PKI/client.pem" -key "$PKI/client.key" "$url") ;;
    *) echo "record.sh: unknown client $client" >&2; exit 2 ;;
    esac
}

# server_args SCENARIO: s_server options; TRIGGER: what is typed after the request.
server_args() {
    TRIGGER= CACHE=
    case $1 in
    tls12-reneg) SARGS=(-tls1_2); TRIGGER='R\n' ;;
    tls12-reneg-noticket) SARGS=(-tls1_2 -no_ticket); TRIGGER='R\n' ;;
    tls12-reneg-cache) SARGS=(-tls1_2); CACHE=1; TRIGGER='R\n' ;;
    tls10-reneg) SARGS=(-tls1 -cipher 'DEFAULT:@SECLEVEL=0'); TRIGGER='R\n' ;;
    tls12-certreq-first) SARGS=(-tls1_2 -verify 1) ;;
    tls13-pha) SARGS=(-tls1_3); TRIGGER='c\n' ;;
    *) echo "record.sh: unknown scenario $1" >&2; exit 2 ;;
    esac
}

# run_case CLIENT SCENARIO PORT
run_case() {
    local client=$1 scenario=$2 port=$3 out=$WORK/out/$1/$2 dest=$HERE/$1
    rm -rf "$out"; mkdir -p "$out" "$dest"
    server_args "$scenario"
    local CACHE_ARGS=(-no_cache)
    [[ -n $CACHE ]] && CACHE_ARGS=()
    ip netns exec "$NS" tcpdump -i lo -U --immediate-mode -n -s 262144 -Z root -w "$out/capture.pcap" "tcp port $port" 2>"$out/tcpdump.log" &
    local cap=$!; PIDS+=("$cap")
    wait_for "$out/tcpdump.log" 'listening on' 10 || { echo "tcpdump did not start" >&2; exit 1; }
    mkfifo "$out/server.in"
    OPENSSL_CONF=$WORK/openssl-server.cnf ip netns exec "$NS" timeout 40 stdbuf -o0 -e0 openssl s_server -accept "127.0.0.1:$port" \
        -cert "$PKI/server.pem" -key "$PKI/server.key" -CAfile "$PKI/ca.pem" -keylogfile "$out/keys" -crlf "${CACHE_ARGS[@]}" \
        "${SARGS[@]}" <"$out/server.in" >"$out/server.log" 2>&1 &
    local srv=$!; PIDS+=("$srv")
    local fd
    exec {fd}>"$out/server.in"
    wait_for "$out/server.log" '^ACCEPT' 10 || { echo "s_server did not start" >&2; exit 1; }
    client_command "$client" "https://server.test:$port/"
    (exec {fd}>&-; cd "$out"; exec ip netns exec "$NS" timeout 25 "${CMD[@]}" </dev/null >"$out/client.log" 2>&1) &
    local cli=$!; PIDS+=("$cli")
    # Each request (a client may retry on a new connection: Chromium does) gets the
    # trigger, then the response, then the connection is closed.
    local gets=0 timeout=12
    while (( gets < 4 )) && wait_count "$out/server.log" '^GET / ' $((gets + 1)) "$timeout"; do
        gets=$(grep -c '^GET / ' "$out/server.log"); timeout=4
        if [[ -n $TRIGGER ]]; then
            env printf "$TRIGGER" >&"$fd"
            # A new request meanwhile is a retry on a new connection: it gets the trigger too.
            wait_count "$out/server.log" '^GET / ' $((gets + 1)) 2 && continue
        fi
        env printf "$RESPONSE" >&"$fd"
        sleep 0.5
        env printf 'q\n' >&"$fd"
        kill -0 "$cli" 2>/dev/null || break
    done
    local rc=0
    wait_gone "$cli" 20 || true
    wait "$cli" || rc=$?
    exec {fd}>&-
    sleep 0.3
    kill "$srv" 2>/dev/null || true
    wait "$srv" 2>/dev/null || true
    sleep 0.3
    kill -INT "$cap" 2>/dev/null || true
    wait "$cap" 2>/dev/null || true
    cp "$out/capture.pcap" "$dest/$scenario.pcap"
    cp "$out/keys" "$dest/$scenario.keys" 2>/dev/null || : > "$dest/$scenario.keys"
    /usr/bin/python3 "$HERE/report.py" --client "$client" --scenario "$scenario" --exit-code "$rc" \
        --client-log "$out/client.log" --server-log "$out/server.log" > "$dest/$scenario.report.json"
    printf '%-22s %-22s exit %-3s %s\n' "$client" "$scenario" "$rc" \
        "$(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["http_status"], r["error"] or "")' "$dest/$scenario.report.json")"
}

# ---------------------------------------------------------------- versions

{
    echo "openssl-s_client $(openssl version | awk '{print $2}')"
    echo "gnutls-cli $(gnutls-cli --version | head -1 | awk '{print $2}')"
    echo "curl $(curl --version | head -1 | awk '{print $2, $5}')"
    echo "wget $(wget --version | head -1 | awk '{print $3}') GnuTLS"
    echo "python3-urllib $(/usr/bin/python3 -c 'import ssl,sys; print(sys.version.split()[0], ssl.OPENSSL_VERSION.replace(" ", "/", 1).split()[0])')"
    echo "node-https $(node -p 'process.version + " OpenSSL/" + process.versions.openssl')"
    echo "java-urlconnection $(java -version 2>&1 | head -1 | awk -F'"' '{print $2}') JSSE"
    echo "java-httpclient $(java -version 2>&1 | head -1 | awk -F'"' '{print $2}') JSSE"
    echo "go-default $(go version | awk '{print $3}') crypto/tls"
    echo "go-renegotiate-once $(go version | awk '{print $3}') crypto/tls"
    echo "botan $(botan version)"
    echo "chromium $(chromium --version 2>/dev/null | awk '{print $2}') BoringSSL"
} > "$WORK/versions.txt"

# ---------------------------------------------------------------- run

index=0
for client in "${CLIENT_LIST[@]}"; do
    for scenario in "${SCENARIO_LIST[@]}"; do
        run_case "$client" "$scenario" $((44500 + index))
        index=$((index + 1))
    done
done
# versions.txt keeps the lines of clients not recorded this time.
touch "$HERE/versions.txt"
python3_merge='import sys
old = dict(l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines() if " " in l)
new = dict(l.split(" ", 1) for l in open(sys.argv[2]).read().splitlines() if " " in l)
for c in sys.argv[3:]: old[c] = new[c]
print("\n".join(f"{k} {v}" for k, v in sorted(old.items())))'
/usr/bin/python3 -c "$python3_merge" "$HERE/versions.txt" "$WORK/versions.txt" "${CLIENT_LIST[@]}" > "$WORK/versions.merged"
cp "$WORK/versions.merged" "$HERE/versions.txt"
