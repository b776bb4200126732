#!/usr/bin/env python3
"""Live conversations where TLS starts after plaintext, or on a SYN, captured on loopback.

    preamble_peers.py MODE OUTDIR [--coalesce]

prints the capture's path (OUTDIR/MODE.pcap) on stdout. Modes:

  starttls-PROTO   `openssl s_client -starttls PROTO` (smtp imap pop3 ftp xmpp
                   postgres ldap irc) against a scripted server here that speaks
                   the protocol's plaintext, then TLS (Python's ssl on memory BIOs).
                   Without --coalesce the server's last plaintext reply and its first
                   TLS flight go out in two sends, with TCP_NODELAY (two segments).
  starttls-postgres --coalesce
                   a pipelining client (Python, memory BIOs) sends its SSLRequest and
                   ClientHello in one send, and the server answers 'S' and its
                   ServerHello flight in one send: one segment each way (a client that
                   waits for 'S', as psql and s_client do, cannot get it coalesced).
  postgresql       a real PostgreSQL server (initdb/pg_ctl in OUTDIR, run as the
                   postgres user when root, ssl=on with a self-signed key) and psql
                   with sslmode=require.
  tfo              TCP Fast Open: a Python client sends its ClientHello on the SYN
                   (MSG_FASTOPEN, after getting a cookie on a first connection) to a
                   Python TLS server with TCP_FASTOPEN; net.ipv4.tcp_fastopen=3 while
                   it runs (the old value is put back).

Captured by tcpdump on lo for the mode's port only. Each peer has a time limit;
exit status 0 ok, 1 failed, 3 a tool is missing.
"""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
PKI = os.path.join(ROOT, "captures", "pki")
LIMIT = 20.0


def fail(msg, code=1):
    print(f"preamble_peers.py: {msg}", file=sys.stderr)
    sys.exit(code)


def need(tool):
    if shutil.which(tool) is None:
        fail(f"{tool} is missing", 3)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Capture:
    """tcpdump on lo for one port, ready when it says it listens."""

    def __init__(self, pcap, port, log):
        need("tcpdump")
        self.log = open(log, "wb")
        import pwd
        user = pwd.getpwuid(os.geteuid()).pw_name   # tcpdump would otherwise drop to its own user
        self.proc = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "--immediate-mode", "-n", "-s", "262144", "-Z", user,
                                      "-w", pcap, f"tcp port {port}"],
                                     stdout=self.log, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        line = b""
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            self.log.write(line)
            if b"listening on" in line or not line:
                break
        if b"listening on" not in line:
            self.stop()
            fail(f"tcpdump did not start: {line!r}")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stderr:
            self.log.write(line)

    def stop(self):
        time.sleep(0.3)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def server_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(PKI, "server.pem"), os.path.join(PKI, "server.key"))
    return ctx


def recv_until(conn, marker, limit=65536):
    data = b""
    while marker not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError(f"peer closed before {marker!r}; got {data!r}")
        data += chunk
        if len(data) > limit:
            raise ValueError("too much plaintext")
    return data


def tls_over_bios(conn, last_plaintext, coalesce):
    """Runs the server's TLS handshake on memory BIOs, so that the first TLS flight can share
    one send with the last plaintext reply; then echoes one application record and closes."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = server_context().wrap_bio(incoming, outgoing, server_side=True)
    if not coalesce and last_plaintext:
        conn.sendall(last_plaintext)
        last_plaintext = b""
        time.sleep(0.05)
    while True:
        try:
            obj.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        out = outgoing.read()
        if out:
            conn.sendall(last_plaintext + out)
            last_plaintext = b""
        if done:
            break
        data = conn.recv(65536)
        if not data:
            raise EOFError("client closed during the handshake")
        incoming.write(data)
    # s_client sends nothing by itself; the server says hello and closes.
    obj.write(b"hello after starttls\n")
    try:
        obj.unwrap()
    except ssl.SSLError:
        pass
    except ssl.SSLWantReadError:
        pass
    out = outgoing.read()
    if out:
        conn.sendall(out)


def scripted_server(proto, listener, coalesce, errors):
    try:
        conn, _ = listener.accept()
        conn.settimeout(LIMIT)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if proto == "smtp":
            conn.sendall(b"220 mail.example ESMTP ready\r\n")
            recv_until(conn, b"\r\n")                       # EHLO
            conn.sendall(b"250-mail.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
            recv_until(conn, b"STARTTLS\r\n")
            last = b"220 2.0.0 Ready to start TLS\r\n"
        elif proto == "imap":
            conn.sendall(b"* OK IMAP4rev1 ready\r\n")
            recv_until(conn, b"CAPABILITY\r\n")
            conn.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n. OK done\r\n")
            recv_until(conn, b"STARTTLS\r\n")
            last = b". OK Begin TLS negotiation now\r\n"
        elif proto == "pop3":
            conn.sendall(b"+OK POP3 ready\r\n")
            recv_until(conn, b"STLS\r\n")
            last = b"+OK Begin TLS negotiation\r\n"
        elif proto == "ftp":
            conn.sendall(b"220-Welcome\r\n220 FTP ready\r\n")
            recv_until(conn, b"AUTH TLS\r\n")
            last = b"234 AUTH TLS OK.\r\n"
        elif proto == "xmpp":
            recv_until(conn, b">")
            conn.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                         b"xmlns:stream='http://etherx.jabber.org/streams' id='1' from='example.org' version='1.0'>"
                         b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                         b"</stream:features>")
            recv_until(conn, b"/>")
            last = b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
        elif proto == "postgres":
            request = b""
            while len(request) < 8:
                chunk = conn.recv(8 - len(request))
                if not chunk:
                    raise EOFError("no SSLRequest")
                request += chunk
            if request != bytes.fromhex("0000000804d2162f"):
                raise ValueError(f"not an SSLRequest: {request.hex()}")
            last = b"S"
        elif proto == "ldap":
            recv_until(conn, b"1.3.6.1.4.1.1466.20037")
            # ExtendedResponse, messageID 1: success, empty matchedDN and diagnosticMessage.
            last = bytes.fromhex("300c02010178070a010004000400")
        elif proto == "irc":
            recv_until(conn, b"STARTTLS\r\n")
            last = b":irc.example 670 * :STARTTLS successful, go ahead with TLS handshake\r\n"
        else:
            raise ValueError(proto)
        tls_over_bios(conn, last, coalesce)
        conn.close()
    except Exception as e:  # reported by the main thread
        errors.append(repr(e))


def run_starttls(proto, out, coalesce):
    need("openssl")
    port = free_port()
    pcap = os.path.join(out, f"starttls-{proto}.pcap")
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1)
    listener.settimeout(LIMIT)
    capture = Capture(pcap, port, os.path.join(out, "capture.log"))
    errors = []
    server = threading.Thread(target=scripted_server, args=(proto, listener, coalesce, errors))
    server.start()
    if coalesce:
        if proto != "postgres":
            fail("--coalesce is for starttls-postgres only", 2)
        try:
            tls_client(port, bytes.fromhex("0000000804d2162f"), expect=b"S")
        except Exception as e:
            errors.append(repr(e))
        server.join(LIMIT)
        listener.close()
        capture.stop()
        if errors:
            fail(f"starttls-{proto}: {errors}; see {out}")
        return pcap
    with open(os.path.join(out, "client.log"), "wb") as log:
        client = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-starttls", proto,
                                   "-servername", "localhost", "-ign_eof"],
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            client.wait(LIMIT)
        except subprocess.TimeoutExpired:
            client.kill()
            errors.append("s_client timed out")
    server.join(LIMIT)
    listener.close()
    capture.stop()
    if errors:
        fail(f"starttls-{proto}: {errors}; see {out}")
    return pcap


def tls_client(port, preamble, expect, flags=0):
    """A TLS client on memory BIOs: sends `preamble` and its ClientHello in one send (with
    MSG_FASTOPEN in `flags`: on the SYN), reads `expect` before the server's TLS, sends one
    application record and closes."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="peer.example")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    s = socket.socket()
    if flags:
        s.sendto(preamble + outgoing.read(), flags, ("127.0.0.1", port))
        s.settimeout(LIMIT)
    else:
        s.settimeout(LIMIT)
        s.connect(("127.0.0.1", port))
        s.sendall(preamble + outgoing.read())
    pending = b""
    while len(pending) < len(expect):
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("server closed before its TLS")
        pending += chunk
    if pending[:len(expect)] != expect:
        raise ValueError(f"expected {expect!r}, got {pending[:len(expect)]!r}")
    incoming.write(pending[len(expect):])
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            pass
        out_ = outgoing.read()
        if out_:
            s.sendall(out_)
        data = s.recv(65536)
        if not data:
            raise EOFError("server closed during the handshake")
        incoming.write(data)
    obj.write(b"ping")
    s.sendall(outgoing.read())
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass
    s.close()


def run_postgresql(out):
    bindir = "/usr/lib/postgresql"
    versions = sorted(os.listdir(bindir)) if os.path.isdir(bindir) else []
    if not versions:
        fail("postgresql is missing (apt-get install postgresql)", 3)
    bin_ = os.path.join(bindir, versions[-1], "bin")
    need("psql")
    need("openssl")
    port = free_port()
    data = os.path.join(out, "pgdata")
    as_user = []
    if os.geteuid() == 0:
        # initdb and postgres refuse to run as root.
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(out, 0o777)
    def run(cmd, **kw):
        return subprocess.run(as_user + cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, **kw)
    r = run([os.path.join(bin_, "initdb"), "-D", data, "-A", "trust", "-U", "postgres"])
    if r.returncode != 0:
        fail(f"initdb: {r.stdout.decode(errors='replace')[-800:]}")
    key, cert = os.path.join(data, "server.key"), os.path.join(data, "server.crt")
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"])
    if r.returncode != 0:
        fail(f"openssl req: {r.stdout.decode(errors='replace')}")
    os.chmod(key, 0o600) if not as_user else run(["chmod", "600", key])
    with open(os.path.join(data, "postgresql.conf"), "a") as conf:
        conf.write(f"\nssl = on\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{out}'\n")
    logfile = os.path.join(out, "postgres.log")
    r = run([os.path.join(bin_, "pg_ctl"), "-D", data, "-l", logfile, "-w", "-t", "30", "start"])
    if r.returncode != 0:
        fail(f"pg_ctl start: {r.stdout.decode(errors='replace')}")
    pcap = os.path.join(out, "postgresql.pcap")
    try:
        capture = Capture(pcap, port, os.path.join(out, "capture.log"))
        env = dict(os.environ, PGSSLMODE="require", PGGSSENCMODE="disable", PGCONNECT_TIMEOUT="10")
        r = subprocess.run(["psql", f"host=127.0.0.1 port={port} user=postgres dbname=postgres",
                            "-c", "select 42"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30, env=env)
        capture.stop()
        if r.returncode != 0 or b"42" not in r.stdout:
            fail(f"psql: {r.stdout.decode(errors='replace')}")
    finally:
        run([os.path.join(bin_, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"])
    return pcap


def run_tfo(out):
    knob = "/proc/sys/net/ipv4/tcp_fastopen"
    try:
        with open(knob) as f:
            before = f.read()
        with open(knob, "w") as f:
            f.write("3\n")
    except OSError as e:
        fail(f"cannot enable TCP Fast Open: {e}", 3)
    try:
        return tfo_capture(out)
    finally:
        with open(knob, "w") as f:
            f.write(before)


def tfo_capture(out):
    port = free_port()
    pcap = os.path.join(out, "tfo.pcap")
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    listener.bind(("127.0.0.1", port))
    listener.listen(4)
    listener.settimeout(LIMIT)
    errors = []

    def serve(count):
        try:
            ctx = server_context()
            for _ in range(count):
                conn, _ = listener.accept()
                conn.settimeout(LIMIT)
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    data = tls.recv(100)
                    tls.sendall(b"pong " + data)
        except Exception as e:
            errors.append(repr(e))

    def client():
        """The ClientHello is sent with the SYN (MSG_FASTOPEN; the kernel needs a cookie for that)."""
        tls_client(port, b"", b"", flags=socket.MSG_FASTOPEN)

    # A first connection gets the cookie; the captured one carries its ClientHello on the SYN.
    server = threading.Thread(target=serve, args=(2,))
    server.start()
    try:
        client()
        capture = Capture(pcap, port, os.path.join(out, "capture.log"))
        client()
    except Exception as e:
        errors.append(repr(e))
        capture = None
    server.join(LIMIT)
    listener.close()
    if capture:
        capture.stop()
    if errors:
        fail(f"tfo: {errors}")
    return pcap


def main():
    if len(sys.argv) < 3:
        fail("usage: preamble_peers.py MODE OUTDIR [--coalesce]", 2)
    mode, out = sys.argv[1], sys.argv[2]
    coalesce = "--coalesce" in sys.argv[3:]
    os.makedirs(out, exist_ok=True)
    threading.Timer(LIMIT * 3, lambda: os._exit(1)).start()
    if mode.startswith("starttls-"):
        pcap = run_starttls(mode[len("starttls-"):], out, coalesce)
    elif mode == "postgresql":
        pcap = run_postgresql(out)
    elif mode == "tfo":
        pcap = run_tfo(out)
    else:
        fail(f"unknown mode {mode}", 2)
    print(pcap)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
