#!/usr/bin/env python3
"""A real QUIC conversation on loopback between an aioquic server and client,
for Tests/PipelineTests/QUICLivePeerTests.swift (tlsdump captures it live).

    quic_peer.py MODE PORT WORKDIR

MODE is one of:
  plain       handshake, one request/response on a bidirectional stream, close
  client-cert the server requires a client certificate (CertificateRequest in
              the handshake); the client sends one signed by the test CA
  retry       the server forces a Retry before it accepts the connection
  big-hello   the client offers 60 ALPN protocols of 40 bytes (plus the one the
              server accepts, last), so its ClientHello spans several Initials
  no-alpn     the client offers only an ALPN the server does not accept: the
              server closes with CONNECTION_CLOSE crypto_error 0x178
              (no_application_protocol) and the handshake fails

The server listens on 127.0.0.1:PORT; the client uses an ephemeral port. Files
in WORKDIR: the PKI (made with openssl on first use), keys.log (the client's
key log, SSLKEYLOGFILE format). On stdout, one JSON object: what the peers
themselves saw (negotiated ALPN and cipher suite, the ClientHello's length,
the client random of each ClientHello sent, whether the server saw a client
certificate, the close error code), so the
test can compare tlsdump's view against the peers'. Exit status: 0 the
conversation went as MODE expects, 1 it did not, 2 usage, 3 aioquic missing.
"""

import asyncio
import json
import os
import ssl
import subprocess
import sys

try:
    from aioquic import tls
    from aioquic.asyncio import connect, serve
    from aioquic.quic.configuration import QuicConfiguration
    from aioquic.quic.connection import QuicConnection
    from aioquic.quic.events import ConnectionTerminated
except ImportError as error:  # pragma: no cover
    print(f"quic_peer.py: aioquic is not installed ({error}); python3 -m pip install aioquic", file=sys.stderr)
    sys.exit(3)

MODES = ("plain", "client-cert", "retry", "big-hello", "no-alpn")
SERVER_ALPN = "tlsdump-test"
REQUEST = b"GET /tlsdump-quic-test\r\n"
RESPONSE = b"200 hello from the aioquic server\r\n"
TIME_LIMIT = float(os.environ.get("QUIC_PEER_TIMEOUT", "20"))

observed = {"server_client_certificate": None, "server_close_error": None}


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(workdir):
    """A CA, a server certificate for localhost and a client certificate, EC P-256."""
    pki = os.path.join(workdir, "pki")
    if os.path.exists(os.path.join(pki, "client.key")):
        return pki
    os.makedirs(pki, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
            "-subj", "/O=tlsdump/CN=tlsdump QUIC test CA", cwd=pki)
    for name, subject, extension in [
        ("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ("client", "/O=tlsdump/CN=quic-client.test", "extendedKeyUsage=clientAuth"),
    ]:
        openssl("req", "-new", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=pki)
        with open(os.path.join(pki, f"{name}.ext"), "w") as f:
            f.write(extension + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "30", "-extfile", f"{name}.ext", cwd=pki)
    return pki


def install_hooks(mode):
    """aioquic has no public switch for a server CertificateRequest (tls.Context's
    _request_client_certificate, "for test purposes"), nor for reading the
    ClientHello's size: both are reached by wrapping two methods."""
    original_initialize = QuicConnection._initialize

    def initialize(self, peer_cid):
        original_initialize(self, peer_cid)
        if not self._is_client and mode == "client-cert":
            self.tls._request_client_certificate = True

    QuicConnection._initialize = initialize

    original_send_hello = tls.Context._client_send_hello

    def send_hello(self, output_buf):
        start = output_buf.tell()
        original_send_hello(self, output_buf)
        # The handshake message: 4-byte header, then the body.
        observed["client_hello_length"] = output_buf.tell() - start - 4
        # aioquic starts a new TLS context after a Retry: a second ClientHello
        # with a new random (RFC 9000 17.2.5.3 asks for the same one).
        observed.setdefault("client_randoms", []).append(self.client_random.hex())

    tls.Context._client_send_hello = send_hello


async def answer(reader, writer):
    data = await reader.read()
    if data == REQUEST:
        writer.write(RESPONSE)
    writer.write_eof()


def handle_stream(reader, writer):
    # aioquic calls the stream handler as a plain function
    asyncio.ensure_future(answer(reader, writer))


def server_protocol_factory():
    from aioquic.asyncio.protocol import QuicConnectionProtocol

    class ServerProtocol(QuicConnectionProtocol):
        def quic_event_received(self, event):
            if isinstance(event, ConnectionTerminated) and observed["server_close_error"] is None:
                observed["server_close_error"] = event.error_code
            tls_context = getattr(self._quic, "tls", None)
            if tls_context is not None and tls_context._peer_certificate is not None:
                observed["server_client_certificate"] = tls_context._peer_certificate.subject.rfc4514_string()
            super().quic_event_received(event)

    return ServerProtocol


async def conversation(mode, port, workdir):
    pki = make_pki(workdir)
    keylog_path = os.path.join(workdir, "keys.log")
    install_hooks(mode)

    server_config = QuicConfiguration(is_client=False, alpn_protocols=[SERVER_ALPN])
    server_config.load_cert_chain(os.path.join(pki, "server.pem"), os.path.join(pki, "server.key"))
    if mode == "client-cert":
        server_config.verify_mode = ssl.CERT_REQUIRED
        server_config.load_verify_locations(cafile=os.path.join(pki, "ca.pem"))
    server = await serve("127.0.0.1", port, configuration=server_config,
                         create_protocol=server_protocol_factory(),
                         retry=(mode == "retry"), stream_handler=handle_stream)

    if mode == "big-hello":
        client_alpn = [f"tlsdump-{i:02d}-" + "x" * 29 for i in range(60)] + [SERVER_ALPN]
        assert all(len(p) == 40 for p in client_alpn[:-1])
    elif mode == "no-alpn":
        client_alpn = ["not-offered-by-the-server"]
    else:
        client_alpn = [SERVER_ALPN]
    client_config = QuicConfiguration(is_client=True, alpn_protocols=client_alpn, server_name="localhost")
    client_config.load_verify_locations(cafile=os.path.join(pki, "ca.pem"))
    if mode == "client-cert":
        client_config.load_cert_chain(os.path.join(pki, "client.pem"), os.path.join(pki, "client.key"))
    result = {"mode": mode, "port": port, "keylog": keylog_path, "client_alpn_count": len(client_alpn)}
    ok = False
    with open(keylog_path, "a") as keylog:
        client_config.secrets_log_file = keylog
        try:
            async with connect("127.0.0.1", port, configuration=client_config) as client:
                quic = client._quic
                result["alpn"] = quic.tls.alpn_negotiated
                result["cipher_suite"] = int(quic.tls.key_schedule.cipher_suite)
                reader, writer = await client.create_stream()
                writer.write(REQUEST)
                writer.write_eof()
                response = await reader.read()
                result["response_ok"] = response == RESPONSE
                ok = result["response_ok"] and mode != "no-alpn"
            # leaving the block sent CONNECTION_CLOSE and waited for it to go out
        except ConnectionError as error:
            result["client_error"] = str(error)
            ok = mode == "no-alpn"
        # let the server see the close and its packets reach the wire
        await asyncio.sleep(0.3)
    server.close()
    result["client_hello_length"] = observed.get("client_hello_length")
    result["client_randoms"] = observed.get("client_randoms", [])
    result["server_client_certificate"] = observed["server_client_certificate"]
    result["server_close_error"] = observed["server_close_error"]
    if mode == "client-cert" and not result["server_client_certificate"]:
        ok = False
    return ok, result


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in MODES:
        print(f"usage: {sys.argv[0]} {{{'|'.join(MODES)}}} PORT WORKDIR", file=sys.stderr)
        sys.exit(2)
    mode, port, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(workdir, exist_ok=True)
    try:
        ok, result = asyncio.run(asyncio.wait_for(conversation(mode, port, workdir), TIME_LIMIT))
    except asyncio.TimeoutError:
        print(f"quic_peer.py: {mode}: no result within {TIME_LIMIT} s", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result))
    if not ok:
        print(f"quic_peer.py: {mode}: the conversation did not go as expected: {result}", file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
