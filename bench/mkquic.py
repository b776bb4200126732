#!/usr/bin/env python3
"""Build a large QUIC benchmark capture from real QUIC template captures.

The UDP counterpart of ../shared/bench/mkpcap.py (which replays TCP flows
only), with the same conventions: every QUIC flow found in the templates
(a UDP flow whose first datagram is a QUIC long header) is replayed many
times, each copy from a fresh client address and port, many copies
interleaved at once, a 2 us clock step per packet, until the file reaches
--mbytes (the copies in flight are then finished, so the file comes out
somewhat larger).

    mkquic.py --out quic.pcap --mbytes 300 [--concurrency 2000] [--seed 1] TEMPLATE...

Only the IP and UDP headers are rewritten: the client's address (10.0.0.0/8
for IPv4, fd00::/96 for IPv6, one per copy) and its UDP port; the server's
address and port stay those of the template. IP header checksums are
recomputed, and UDP checksums too (valid, for IPv4 as for IPv6). The UDP
payload, the QUIC packets, are copied byte for byte: QUIC Initial keys come
from the client's Destination Connection ID inside the packet, so every copy
is as decryptable as its template, and each copy is a connection of its own
(a new address pair whose first packet carries no connection ID a reader has
seen on another pair: the ids each side chose are looked up, not the
client's first Destination Connection ID).

Templates may be pcap or pcapng, Ethernet (with VLAN tags), raw IP, Linux
cooked, loopback or PPP (DLT 9, as the QUIC interop runner's captures); the
output is a classic pcap (microsecond, Ethernet). A JSON manifest is written
next to it (OUT.manifest.json): the flows made and how many times each
template flow was replayed, so per-flow ground truth multiplies into totals.
"""
import argparse, json, random, struct, sys


def read_pcap(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] == b'\x0a\x0d\x0d\x0a':
        return read_pcapng(data)
    magic = struct.unpack('<I', data[:4])[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    linktype = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
    off, out = 24, []
    while off + 16 <= len(data):
        ts, tf, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        out.append((ts + tf / (1e9 if nano else 1e6), linktype, data[off:off + incl]))
        off += incl
    return out


def read_pcapng(data):
    out, off, links = [], 0, []
    e = '<'
    while off + 12 <= len(data):
        btype = struct.unpack(e + 'I', data[off:off + 4])[0]
        if btype == 0x0a0d0d0a:
            e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            links = []
        blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
        if blen < 12:
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack(e + 'H', body[:2])[0])
        elif btype == 6:
            iface, th, tl, cap, orig = struct.unpack(e + 'IIIII', body[:20])
            out.append((((th << 32) | tl) / 1e6, links[iface] if iface < len(links) else 1, body[20:20 + cap]))
        elif btype == 3:  # simple packet block
            out.append((0.0, links[0] if links else 1, body[4:]))
        off += blen
    return out


def l3(linktype, frame):
    """The IP packet in a frame, or None."""
    if linktype == 1:  # Ethernet, VLAN tags skipped
        if len(frame) < 14:
            return None
        et, off = struct.unpack('>H', frame[12:14])[0], 14
        while et in (0x8100, 0x88a8) and len(frame) >= off + 4:
            et = struct.unpack('>H', frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if et in (0x0800, 0x86dd) else None
    if linktype in (101, 12, 14, 228, 229):  # raw IP
        return frame
    if linktype == 113:  # Linux cooked
        return frame[16:] if struct.unpack('>H', frame[14:16])[0] in (0x0800, 0x86dd) else None
    if linktype in (0, 108):  # BSD loopback
        return frame[4:]
    if linktype in (9, 50):  # PPP, PPP in HDLC framing: [ff 03] protocol (1 or 2 bytes)
        off = 2 if frame[:2] == b'\xff\x03' else 0
        if off + 1 > len(frame):
            return None
        if frame[off] & 1:  # compressed protocol field
            proto, off = frame[off], off + 1
        else:
            proto, off = struct.unpack('>H', frame[off:off + 2])[0], off + 2
        return frame[off:] if proto in (0x21, 0x57) else None
    return None


def udp_of(ip):
    """(version, source address, destination address, UDP datagram) or None."""
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or (struct.unpack('>H', ip[6:8])[0] & 0x3fff):  # not UDP, or a fragment
            return None
        total = struct.unpack('>H', ip[2:4])[0]
        return 4, ip[12:16], ip[16:20], ip[ihl:total] if total else ip[ihl:]
    if v == 6 and len(ip) >= 40:
        if ip[6] != 17:
            return None
        plen = struct.unpack('>H', ip[4:6])[0]
        return 6, ip[8:24], ip[24:40], ip[40:40 + plen]
    return None


def word_sum(b):
    """Unfolded sum of the big-endian 16-bit words of b (padded to even length)."""
    if len(b) % 2:
        b += b'\0'
    return sum(struct.unpack('>%dH' % (len(b) // 2), b))


def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def flows_of(path):
    """The QUIC flows of a template: UDP flows of more than one datagram whose
    first datagram is a QUIC long header (its sender is the client)."""
    flows = {}
    for ts, lt, frame in read_pcap(path):
        u = udp_of(l3(lt, frame))
        if not u or len(u[3]) < 9:
            continue
        v, src, dst, dgram = u
        sp, dp, ulen = struct.unpack('>HHH', dgram[:6])
        payload = dgram[8:ulen] if 8 <= ulen <= len(dgram) else dgram[8:]
        key = tuple(sorted([(src, sp), (dst, dp)]))
        f = flows.setdefault(key, {'v': v, 'client': (src, sp), 'server': (dst, dp), 'pkts': []})
        from_client = (src, sp) == f['client']
        # The payload's own word sum, once: a copy's UDP checksum adds only its header.
        f['pkts'].append((from_client, payload, word_sum(payload)))
    return [f for f in flows.values()
            if len(f['pkts']) > 1 and f['pkts'][0][1][0] & 0xc0 == 0xc0]


def ip_checksum(hdr):
    return (~fold(word_sum(hdr))) & 0xffff


ETH_V4 = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
ETH_V6 = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd'


def frame_for(v, src, dst, sport, dport, payload, psum, ident):
    ulen = 8 + len(payload)
    # UDP checksum: pseudo-header (addresses, protocol, length) + header + payload.
    s = word_sum(src) + word_sum(dst) + 17 + ulen + sport + dport + ulen + psum
    ck = (~fold(s)) & 0xffff or 0xffff
    udp = struct.pack('>HHHH', sport, dport, ulen, ck) + payload
    if v == 4:
        hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + ulen, ident & 0xffff, 0x4000, 64, 17, 0, src, dst)
        hdr = hdr[:10] + struct.pack('>H', ip_checksum(hdr)) + hdr[12:]
        return ETH_V4 + hdr + udp
    hdr = struct.pack('>IHBB16s16s', 0x60000000, ulen, 17, 64, src, dst)
    return ETH_V6 + hdr + udp


def client_addr(v, r):
    if v == 4:
        return bytes([10, (r >> 16) & 255, (r >> 8) & 255, r & 255])
    return b'\xfd\0' + b'\0' * 10 + struct.pack('>I', r)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--mbytes', type=float, default=200)
    ap.add_argument('--concurrency', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('templates', nargs='+')
    a = ap.parse_args()
    if a.concurrency < 1:
        sys.exit('--concurrency must be at least 1')
    rnd = random.Random(a.seed)
    templates = []
    for p in a.templates:
        for i, f in enumerate(flows_of(p)):
            templates.append((p.split('/')[-1] + '#%d' % i, f))
    if not templates:
        sys.exit('no QUIC flows in the templates')
    limit = int(a.mbytes * 1e6)
    out = open(a.out, 'wb', buffering=1 << 20)
    out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    written, replica, clock, ident = 24, 0, 1.7e9, 0
    counts = {}
    active = []

    def start():
        nonlocal replica
        name, f = templates[replica % len(templates)]
        counts[name] = counts.get(name, 0) + 1
        # Replica r gets client address r + 1 (2^24 of them) and port 1024 + r mod 64000.
        active.append([f, 0, client_addr(f['v'], replica + 1), 1024 + replica % 64000])
        replica += 1

    while written < limit or active:
        while written < limit and len(active) < a.concurrency:
            start()
        if not active:
            break
        i = rnd.randrange(len(active))
        st = active[i]
        f, k, caddr, cport = st
        from_client, payload, psum = f['pkts'][k]
        saddr, sport = f['server']
        if from_client:
            fr = frame_for(f['v'], caddr, saddr, cport, sport, payload, psum, ident)
        else:
            fr = frame_for(f['v'], saddr, caddr, sport, cport, payload, psum, ident)
        ident += 1
        clock += 0.000002
        sec = int(clock)
        out.write(struct.pack('<IIII', sec, int((clock - sec) * 1e6), len(fr), len(fr)))
        out.write(fr)
        written += 16 + len(fr)
        st[1] += 1
        if st[1] >= len(f['pkts']):
            active[i] = active[-1]
            active.pop()
    out.close()
    json.dump({'bytes': written, 'flows': replica, 'replays': counts}, open(a.out + '.manifest.json', 'w'), indent=1)
    print('%s: %d bytes, %d flows from %d template flows' % (a.out, written, replica, len(templates)))


if __name__ == '__main__':
    main()
