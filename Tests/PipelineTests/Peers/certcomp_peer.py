#!/usr/bin/env python3
"""One TLS 1.3 conversation on loopback between tlslite-ng peers (PyPI
tlslite-ng, with brotli and zstandard for those algorithms) whose server
compresses its certificate (RFC 8879), for CertificateCompressionPeerTests.

    certcomp_peer.py ALGORITHM PORT WORKDIR CERT KEY

ALGORITHM: zlib, brotli, zstd, or none (the client offers nothing, so the
certificate goes plain). The client offers every algorithm it can
decompress and writes WORKDIR/keys.log in the SSLKEYLOGFILE format (tlslite-ng
0.8 writes none itself: the four traffic secrets are taken where its key
schedule derives them). Prints one JSON line: what the client saw.
Exit status: 0 ok, 1 failed, 3 tlslite-ng (or a codec module) missing.
"""
import hashlib
import json
import os
import socket
import sys
import threading

try:
    import tlslite.tlsconnection as tlsconnection
    from tlslite.api import TLSConnection, HandshakeSettings, X509, X509CertChain, parsePEMKey
    from tlslite.utils.compression import compression_algo_impls
except ImportError as error:  # the test installs it; say what is missing
    print(f"certcomp_peer.py: {error}", file=sys.stderr)
    sys.exit(3)

ALGORITHM, PORT, WORKDIR, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
if ALGORITHM == "brotli" and not compression_algo_impls["brotli_compress"]:
    print("certcomp_peer.py: the brotli module is missing (pip install brotli)", file=sys.stderr)
    sys.exit(3)
if ALGORITHM == "zstd" and not compression_algo_impls["zstd_compress"]:
    print("certcomp_peer.py: the zstandard module is missing (pip install zstandard)", file=sys.stderr)
    sys.exit(3)

# The key schedule's traffic secrets, in derivation order, for the key log.
LABELS = {b"c hs traffic": "CLIENT_HANDSHAKE_TRAFFIC_SECRET", b"s hs traffic": "SERVER_HANDSHAKE_TRAFFIC_SECRET",
          b"c ap traffic": "CLIENT_TRAFFIC_SECRET_0", b"s ap traffic": "SERVER_TRAFFIC_SECRET_0"}
secrets = {}
lock = threading.Lock()
original_derive_secret = tlsconnection.derive_secret


def logging_derive_secret(secret, label, handshake_hashes, prf):
    value = original_derive_secret(secret, label, handshake_hashes, prf)
    name = LABELS.get(bytes(label))
    if name and threading.current_thread().name == "client":
        with lock:
            secrets.setdefault(name, bytes(value))
    return value


tlsconnection.derive_secret = logging_derive_secret

with open(CERT) as f:
    chain = X509CertChain([X509().parse(f.read())])
with open(KEY) as f:
    key = parsePEMKey(f.read(), private=True)

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", PORT))
listener.listen(1)
server_error = []


def serve():
    try:
        sock, _ = listener.accept()
        connection = TLSConnection(sock)
        settings = HandshakeSettings()
        settings.minVersion = settings.maxVersion = (3, 4)
        settings.certificate_compression_send = [ALGORITHM] if ALGORITHM != "none" else ["zlib"]
        connection.handshakeServer(certChain=chain, privateKey=key, settings=settings)
        data = connection.read(max=64)
        connection.write(data)
        connection.close()
    except Exception as error:  # reported by the main thread
        server_error.append(repr(error))


server = threading.Thread(target=serve, name="server")
server.start()
result = {}
try:
    threading.current_thread().name = "client"
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    client = TLSConnection(sock)
    settings = HandshakeSettings()
    settings.minVersion = settings.maxVersion = (3, 4)
    # "none": no compress_certificate extension at all, so the certificate goes plain.
    settings.certificate_compression_receive = [] if ALGORITHM == "none" else ["zlib", "brotli", "zstd"]
    client.handshakeClientCert(settings=settings, serverName="server.test")
    client_random = bytes(client._clientRandom).hex()
    cipher, version = client.getCipherName(), list(client.version)
    client.write(b"hello\n")
    echoed = client.read(max=64)
    client.close()
    server.join(10)
    if server_error:
        raise RuntimeError("server: " + server_error[0])
    with open(os.path.join(WORKDIR, "keys.log"), "w") as f:
        for name in LABELS.values():
            if name in secrets:
                f.write(f"{name} {client_random} {secrets[name].hex()}\n")
    leaf = client.session.serverCertChain.x509List[0]
    result = {"algorithm": ALGORITHM, "echoed": bytes(echoed).decode(), "cipher": cipher,
              "version": version, "certificate_sha256": hashlib.sha256(bytes(leaf.bytes)).hexdigest(),
              "secrets": sorted(secrets)}
except Exception as error:
    print(f"certcomp_peer.py: {ALGORITHM}: {error!r} {server_error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(result))
