#!/usr/bin/env bash
# Creates the test PKI in the directory given as $1 (default: captures/pki):
#   ca.key/ca.pem                 "tlsdump test CA" (RSA 2048, self-signed)
#   server1024.key/server1024.pem "server.test", RSA 1024 (the legacy/IIS-like server key)
#   server.key/server.pem         "server.test", RSA 2048 (modern scenarios)
#   client.key/client.pem         "client.test", RSA 2048, clientAuth
# Keys are unencrypted PKCS#8 PEM. Certificates are valid for 100 years so the
# committed files never expire under the tests. Existing files are kept: the
# PKI is committed and regenerated only when something is missing.
set -euo pipefail
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/pki}
mkdir -p "$dir"
cd "$dir"
if [[ -s ca.pem && -s ca.key && -s server1024.pem && -s server1024.key && -s server.pem && -s server.key && -s client.pem && -s client.key ]]; then
    exit 0
fi
rm -f ./*.key ./*.pem ./*.srl ./*.csr ./*.ext
days=36500
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days $days -subj "/O=tlsdump/CN=tlsdump test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem

issue() { # name bits subject extfile-lines...
    local name=$1 bits=$2 subj=$3; shift 3
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$bits" -out "$name.key" 2>/dev/null
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
    printf '%s\n' "$@" > "$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days $days \
        -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}
server_ext=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment"
            "extendedKeyUsage=serverAuth" "subjectAltName=DNS:server.test,DNS:localhost,IP:127.0.0.1")
issue server1024 1024 "/O=tlsdump/CN=server.test" "${server_ext[@]}"
issue server 2048 "/O=tlsdump/CN=server.test" "${server_ext[@]}"
issue client 2048 "/O=tlsdump/CN=client.test" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=clientAuth"
rm -f ca.srl
