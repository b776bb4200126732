#!/usr/bin/env python3
"""Sends every frame of a classic pcap (Ethernet) out of an interface, as
fast as the socket takes them (AF_PACKET): a replayer without tcpreplay.
   replay.py INTERFACE FILE.pcap"""
import socket, struct, sys

iface, path = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
magic = data[:4]
endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
linktype = struct.unpack(endian + 'I', data[20:24])[0]
assert linktype == 1, f"Ethernet captures only (link type {linktype})"
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
offset, sent = 24, 0
while offset + 16 <= len(data):
    _, _, caplen, _ = struct.unpack(endian + 'IIII', data[offset:offset + 16])
    frame = data[offset + 16:offset + 16 + caplen]
    offset += 16 + caplen
    while True:
        try:
            s.send(frame)
            break
        except BlockingIOError:
            continue
    sent += 1
print(sent)
