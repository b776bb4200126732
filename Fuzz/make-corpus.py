#!/usr/bin/env python3
"""Seeds Fuzz/corpus/<target>/ from the captures in ../shared/captures and captures/.

Uses tshark (TCP payloads per stream direction) and editcap (pcapng -> pcap).
Each seed is written in its fuzz target's input format (see the target's main.swift).
Usage: Fuzz/make-corpus.py [OUT_DIR]   (default Fuzz/corpus)
"""
import hashlib
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
CAPTURE_DIRS = [os.path.join(ROOT, "..", "shared", "captures"), os.path.join(ROOT, "captures")]

# Must match the tables in the targets.
DECODER_LINKTYPES = [1, 0, 12, 14, 101, 108, 113, 228, 229, 276, 147, 9, 50]
PIPELINE_LINKTYPES = [1, 113, 101, 0, 276, 228, 9]
HANDSHAKE_TYPES = [1, 2, 11, 13, 12, 4, 22]

counts = {}


MAX_SEED = {"FuzzPipeline": 65560, "FuzzCompressedCapture": 65560, "FuzzRecordStream": 16400, "FuzzHandshake": 16400, "FuzzSSLv2": 4096}


def write(target, data, limit=None):
    data = data[:MAX_SEED.get(target, 8192)]
    if limit is not None and counts.get(target, 0) >= limit:
        return
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1


def captures():
    for base in CAPTURE_DIRS:
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if name.endswith((".pcap", ".pcapng")):
                    yield os.path.join(dirpath, name)


def as_pcap(path, tmp):
    out = os.path.join(tmp, "converted.pcap")
    subprocess.run(["editcap", "-F", "pcap", path, out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out, "rb") as f:
        return f.read()


def pcap_records(data):
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    offset, records = 24, []
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        records.append(data[offset + 16:offset + 16 + caplen])
        offset += 16 + caplen
    return endian, linktype, records


def directions(path):
    """TCP segments per (stream, source) in capture order: (seq, flags, payload)."""
    fields = ["tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "tcp.seq_raw", "tcp.flags", "tcp.payload"]
    args = ["tshark", "-n", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "occurrence=l"]
    for field in fields:
        args += ["-e", field]
    result = subprocess.run(args, capture_output=True, text=True)
    flows = {}
    for line in result.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) < 7 or not parts[4]:
            continue
        key = (parts[0], parts[1] or parts[2], parts[3])
        flows.setdefault(key, []).append((int(parts[4]), int(parts[5], 16), bytes.fromhex(parts[6])))
    return flows


def stream_bytes(segments):
    """The direction's bytes in sequence order, each byte once (first copy wins)."""
    data, nxt = bytearray(), None
    for seq, flags, payload in segments:
        if flags & 0x02:
            nxt = (seq + 1) & 0xFFFFFFFF
            continue
        if not payload:
            continue
        if nxt is None:
            nxt = seq
        skip = (nxt - seq) & 0xFFFFFFFF
        if skip >= 0x80000000:      # a hole: keep going from here
            data += payload
            nxt = (seq + len(payload)) & 0xFFFFFFFF
        elif skip < len(payload):
            data += payload[skip:]
            nxt = (seq + len(payload)) & 0xFFFFFFFF
    return bytes(data)


def records_of(stream):
    offset = 0
    while offset + 5 <= len(stream):
        ctype, _, length = stream[offset], stream[offset + 1:offset + 3], struct.unpack(">H", stream[offset + 3:offset + 5])[0]
        if ctype not in (20, 21, 22, 23, 24):
            return
        yield ctype, stream[offset + 5:offset + 5 + length]
        offset += 5 + length


def handshake_messages(stream):
    buffer = bytearray()
    for ctype, body in records_of(stream):
        if ctype == 20:
            break
        if ctype == 22:
            buffer += body
    offset = 0
    while offset + 4 <= len(buffer):
        mtype = buffer[offset]
        length = int.from_bytes(buffer[offset + 1:offset + 4], "big")
        if offset + 4 + length > len(buffer):
            break
        yield mtype, bytes(buffer[offset + 4:offset + 4 + length])
        offset += 4 + length


def certificates(body):
    for tls13 in (False, True):
        try:
            offset = 0
            if tls13:
                offset = 1 + body[0]
            total = int.from_bytes(body[offset:offset + 3], "big")
            offset += 3
            end = offset + total
            if end != len(body):
                continue
            result = []
            while offset < end:
                length = int.from_bytes(body[offset:offset + 3], "big")
                result.append(body[offset + 3:offset + 3 + length])
                offset += 3 + length
                if tls13:
                    offset += 2 + int.from_bytes(body[offset:offset + 2], "big")
            return result
        except IndexError:
            continue
    return []


def server_hello_scts(body):
    """The signed_certificate_timestamp (18) extension bodies of a ServerHello."""
    try:
        offset = 2 + 32
        offset += 1 + body[offset]
        offset += 3
        end = offset + 2 + struct.unpack(">H", body[offset:offset + 2])[0]
        offset += 2
        while offset + 4 <= end:
            etype, elen = struct.unpack(">HH", body[offset:offset + 4])
            if etype == 18:
                yield body[offset + 4:offset + 4 + elen]
            offset += 4 + elen
    except (IndexError, struct.error):
        return


def ocsp_seeds(body, chain):
    """FuzzOCSP seeds from a CertificateStatus body: the message, its response,
    and the response with the certificates it should match (modes 0, 1, 3)."""
    write("FuzzOCSP", b"\x00" + body)
    if len(body) < 4 or body[0] != 1:
        return
    der = body[4:]
    write("FuzzOCSP", b"\x01" + der)
    if chain:
        leaf, issuer = chain[0][:4000], (chain[1] if len(chain) > 1 else b"")[:4000]
        write("FuzzOCSP", b"\x03" + struct.pack(">H", len(leaf)) + leaf + struct.pack(">H", len(issuer)) + issuer + der)


def reassembler_script(segments):
    base = segments[0][0]
    out = bytearray([0, 0]) + struct.pack(">I", base)
    for seq, flags, payload in segments[:48]:
        offset = (seq - base) & 0xFFFFFFFF
        op = (8 if flags & 0x02 else 0) | (0x10 if flags & 0x01 else 0)
        if len(payload) > 255:
            op |= 0x80
            units = min(255, len(payload) // 8)
            payload = payload[:units * 8]
            length_byte = units
        else:
            length_byte = len(payload)
        if offset > 0xFFFF:
            op |= 0x40
            out += bytes([op]) + struct.pack(">I", offset)
        else:
            out += bytes([op]) + struct.pack(">H", offset)
        out += bytes([length_byte]) + payload
    out += bytes([6])   # flush
    return bytes(out)


# FuzzCompressedCapture: selector byte (index here, mod 4), then the tool's file without its magic.
COMPRESSORS = [("gzip", 3), ("zstd", 4), ("xz", 6), ("lz4", 4)]


def record_decryption_seeds():
    """FuzzRecordDecryption: for each suite and version choice, key bytes and a few records of the sizes each
    construction expects (block multiples, explicit nonces, tags of 8 and 16), so every engine is reached."""
    for suite in range(18):
        for version in range(9):
            head = bytes([suite, version, suite & 1]) + bytes(range(48)) + bytes(range(100, 132))
            records = b""
            for length in (16, 24, 40, 48, 64, 33):
                records += length.to_bytes(2, "big") + bytes((length * k) & 0xff for k in range(length)) + bytes([23])
            write("FuzzRecordDecryption", head + records)
    # Key log lines of the secrets issue 26 reads: 0-RTT and drafts.
    for label in (b"CLIENT_EARLY_TRAFFIC_SECRET", b"EARLY_EXPORTER_SECRET"):
        write("FuzzKeyLog", label + b" " + b"ab" * 32 + b" " + b"cd" * 32 + b"\n")


def compressed_seeds():
    """Small captures (up to 16 KB) compressed by each real tool, 120 at most; a missing tool is skipped."""
    for path in captures():
        if os.path.getsize(path) > 16 << 10:
            continue
        for index, (tool, magic_length) in enumerate(COMPRESSORS):
            try:
                out = subprocess.run([tool, "-q", "-c", path], check=True, capture_output=True).stdout
            except (OSError, subprocess.CalledProcessError):
                continue
            write("FuzzCompressedCapture", bytes([index]) + out[magic_length:], limit=120)


# FuzzCompressedCertificate: selector (0 zlib, 1 brotli, 2 zstd), limit selector, then the message body.
def compressed_certificate_seeds(bodies):
    """The corpus's Certificate bodies compressed by each codec (brotli and zstandard from PyPI when installed)."""
    import zlib
    codecs = [(0, 1, zlib.compress)]
    try:
        import brotli
        codecs.append((1, 2, brotli.compress))
    except ImportError:
        pass
    try:
        import zstandard
        codecs.append((2, 3, zstandard.compress))
    except ImportError:
        pass
    for body in bodies:
        for selector, algorithm, compress in codecs:
            data = compress(body)
            message = struct.pack(">H", algorithm) + len(body).to_bytes(3, "big") + len(data).to_bytes(3, "big") + data
            write("FuzzCompressedCertificate", bytes([selector, 2]) + message, limit=90)


def main():
    certificate_bodies = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in captures():
            try:
                pcap = as_pcap(path, tmp)
            except subprocess.CalledProcessError:
                continue
            endian, linktype, frames = pcap_records(pcap)
            # Whole pipeline: the record area behind a generated header, or the file as it is.
            if linktype in PIPELINE_LINKTYPES and endian == "<" and pcap[:4] == b"\xd4\xc3\xb2\xa1":
                write("FuzzPipeline", bytes([PIPELINE_LINKTYPES.index(linktype)]) + pcap[24:24 + 65536])
            else:
                write("FuzzPipeline", b"\xff" + pcap[:65536])
            # Decoder: a few frames at a time.
            if linktype in DECODER_LINKTYPES:
                selector = DECODER_LINKTYPES.index(linktype)
                for start in range(0, min(len(frames), 24), 4):
                    seed = bytearray([selector, 0])
                    for frame in frames[start:start + 4]:
                        seed += struct.pack(">H", len(frame)) + b"\x01" + frame
                    write("FuzzPacketDecoder", bytes(seed))
            for key, segments in directions(path).items():
                write("FuzzReassembler", reassembler_script(segments))
                stream = stream_bytes(segments)
                if not stream:
                    continue
                is_sslv2 = len(stream) > 3 and stream[0] & 0x80 and stream[2] in (1, 4)
                script = bytes([0, 5, 0]) + struct.pack(">I", len(stream))
                write("FuzzSSLv2" if is_sslv2 else "FuzzRecordStream", script + stream[:16384])
                if is_sslv2:
                    length = ((stream[0] & 0x7F) << 8) | stream[1]
                    write("FuzzSSLv2", b"\x01" + stream[2:2 + length])
                chain = []
                for mtype, body in handshake_messages(stream):
                    if mtype in HANDSHAKE_TYPES:
                        variant = 0 if mtype != 12 else (0 if body[:1] == b"\x03" else 1)
                        write("FuzzHandshake", bytes([HANDSHAKE_TYPES.index(mtype), variant]) + body)
                    if mtype == 11:
                        if len(certificate_bodies) < 30:
                            certificate_bodies.append(body)
                        chain = list(certificates(body))
                        for der in chain:
                            write("FuzzX509", der)
                    if mtype == 2:
                        for sct_list in server_hello_scts(body):
                            write("FuzzOCSP", b"\x02" + sct_list)
                    if mtype == 22:
                        ocsp_seeds(body, chain)
    # Key logs: the .keys files beside the bundled captures, whole and line by line.
    for base in CAPTURE_DIRS:
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if name.endswith((".keys", ".keylog")):
                    with open(os.path.join(dirpath, name), "rb") as f:
                        text = f.read()
                    write("FuzzKeyLog", text)
                    for line in text.splitlines():
                        write("FuzzKeyLog", line + b"\n", limit=200)
                elif name.endswith(".msg.txt"):
                    # openssl s_client's printout: its SSL-Session blocks, as users paste them.
                    with open(os.path.join(dirpath, name), "rb") as f:
                        text = f.read()
                    for block in re.findall(rb"SSL-Session:\n(?:[ \t].*\n)*", text):
                        write("FuzzKeyLog", b"---\n" + block + b"---\n")
    compressed_seeds()
    compressed_certificate_seeds(certificate_bodies)
    record_decryption_seeds()
    for target in sorted(counts):
        print(f"{target}: {counts[target]} seeds")


main()
