#!/usr/bin/env python3
"""SSL 3.0 conversations on loopback between tlslite-ng peers (PyPI tlslite-ng,
which still speaks SSL 3.0), one per cipher, static RSA key exchange, for
DecryptionPeerTests (issue 26 item 4).

    ssl3_peer.py PORT CERT KEY CIPHER...

CIPHER: rc4-md5, rc4-sha, aes128-sha, 3des-sha. Each connection: the client
sends "GET /ssl3 CIPHER", the server answers "ok CIPHER", both close.
Prints one line per connection: the cipher suite tlslite-ng negotiated.
Exit status: 0 ok, 1 failed, 3 tlslite-ng missing.
"""
import socket
import sys
import threading

try:
    from tlslite.api import TLSConnection, HandshakeSettings, X509, X509CertChain, parsePEMKey
except ImportError as error:
    print(f"ssl3_peer.py: {error}", file=sys.stderr)
    sys.exit(3)

PORT, CERT, KEY, CIPHERS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with open(CERT) as f:
    chain = X509CertChain([X509().parse(f.read())])
with open(KEY) as f:
    key = parsePEMKey(f.read(), private=True)


def settings(cipher):
    s = HandshakeSettings()
    s.minVersion = s.maxVersion = (3, 0)
    name, mac = cipher.split("-")
    s.cipherNames = [name]
    s.macNames = [mac]
    s.keyExchangeNames = ["rsa"]
    return s


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", PORT))
listener.listen(len(CIPHERS))
errors = []


def serve():
    try:
        for cipher in CIPHERS:
            sock, _ = listener.accept()
            connection = TLSConnection(sock)
            connection.handshakeServer(certChain=chain, privateKey=key, settings=settings(cipher))
            data = connection.read(max=64)
            connection.write(b"ok " + data[len(b"GET /ssl3 "):])
            connection.close()
    except Exception as error:
        errors.append(f"server: {error!r}")


server = threading.Thread(target=serve, name="server")
server.start()
for cipher in CIPHERS:
    try:
        connection = TLSConnection(socket.create_connection(("127.0.0.1", PORT)))
        connection.handshakeClientCert(settings=settings(cipher))
        connection.write(f"GET /ssl3 {cipher}".encode())
        reply = connection.read(max=64)
        print(cipher, connection.getCipherName(), connection.getVersionName(), reply.decode())
        connection.close()
    except Exception as error:
        errors.append(f"client {cipher}: {error!r}")
        break
server.join(10)
listener.close()
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
