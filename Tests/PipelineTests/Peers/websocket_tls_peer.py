#!/usr/bin/env python3
"""TLS carried inside WebSocket frames (RFC 6455) on loopback, for issue 26
item 9: Python's ssl (OpenSSL) on both ends through memory BIOs, the records
wrapped in binary frames after an HTTP Upgrade. The client's frames are masked
(RFC 6455 5.3), so its TLS never shows on the wire; the server's are not, so
its ServerHello does, inside the frames.

    websocket_tls_peer.py PORT CERT KEY

Prints "ok" with the echoed line. Exit status 0 ok, 1 failed.
"""
import os
import socket
import ssl
import struct
import sys
import threading

PORT, CERT, KEY = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def frame(payload, masked):
    head = bytes([0x82])
    n = len(payload)
    bit = 0x80 if masked else 0
    head += bytes([bit | n]) if n < 126 else bytes([bit | 126]) + struct.pack(">H", n) if n < 65536 else bytes([bit | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class Frames:
    """Reads WebSocket frames from a socket, returns their (unmasked) payloads."""
    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def _need(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk

    def next(self):
        self._need(2)
        masked, n, at = self.buffer[1] & 0x80, self.buffer[1] & 0x7f, 2
        if n == 126:
            self._need(4); n, at = struct.unpack(">H", self.buffer[2:4])[0], 4
        elif n == 127:
            self._need(10); n, at = struct.unpack(">Q", self.buffer[2:10])[0], 10
        mask = b""
        if masked:
            self._need(at + 4); mask, at = self.buffer[at:at + 4], at + 4
        self._need(at + n)
        payload, self.buffer = self.buffer[at:at + n], self.buffer[at + n:]
        return bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if masked else payload


def pump(tls, sock, frames, masked, done):
    """Runs the TLS object's handshake/IO until done() is true."""
    while True:
        try:
            result = done()
            if result is not None:
                out = tls.outgoing.read()
                if out:
                    sock.sendall(frame(out, masked))
                return result
        except ssl.SSLWantReadError:
            pass
        out = tls.outgoing.read()
        if out:
            sock.sendall(frame(out, masked))
            continue
        tls.incoming.write(frames.next())


class TLSOverFrames:
    def __init__(self, context, sock, server, masked):
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_side=server, server_hostname=None if server else "server.test")
        self.sock, self.frames, self.masked = sock, Frames(sock), masked

    def handshake(self):
        pump(self, self.sock, self.frames, self.masked, lambda: self.obj.do_handshake() or True)

    def send(self, data):
        self.obj.write(data)
        self.sock.sendall(frame(self.outgoing.read(), self.masked))

    def receive(self):
        return pump(self, self.sock, self.frames, self.masked, lambda: self.obj.read(1024))


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", PORT))
listener.listen(1)
errors = []


def serve():
    try:
        sock, _ = listener.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            request += sock.recv(4096)
        sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(CERT, KEY)
        tls = TLSOverFrames(context, sock, server=True, masked=False)
        tls.handshake()
        tls.send(b"echo " + tls.receive())
        sock.close()
    except Exception as error:
        errors.append(f"server: {error!r}")


thread = threading.Thread(target=serve)
thread.start()
try:
    sock = socket.create_connection(("127.0.0.1", PORT))
    sock.sendall(b"GET /tunnel HTTP/1.1\r\nHost: server.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    tls = TLSOverFrames(context, sock, server=False, masked=True)
    tls.handshake()
    tls.send(b"hello through the tunnel\n")
    print("ok", tls.receive().decode().strip())
    sock.close()
except Exception as error:
    errors.append(f"client: {error!r}")
thread.join(10)
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
