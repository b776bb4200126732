#!/usr/bin/env python3
"""Prints the TLS record sequence of a capture, decrypted with its key log.

    sequence.py CAPTURE [KEYLOG]

One line per TLS record, in capture order:

    C handshake ClientHello(1)
    S handshake ServerHello(2) Certificate(11) ServerHelloDone(14)
    C change_cipher_spec
    C [enc] handshake Finished(20)
    S [enc] application_data
    C [enc] alert warning(1) close_notify(0)

C/S is the sender (client = the side that opened the TCP connection). `[enc]`
marks a record that travelled encrypted (TLS <= 1.2: after that side's
ChangeCipherSpec; TLS 1.3: outer type 23); its content is what tshark
decrypted with the key log. This is the ground truth written to README.md.
Needs tshark.
"""
import json
import subprocess
import sys

CONTENT = {20: 'change_cipher_spec', 21: 'alert', 22: 'handshake', 23: 'application_data', 24: 'heartbeat'}
HANDSHAKE = {0: 'HelloRequest', 1: 'ClientHello', 2: 'ServerHello', 4: 'NewSessionTicket', 5: 'EndOfEarlyData',
             8: 'EncryptedExtensions', 11: 'Certificate', 12: 'ServerKeyExchange', 13: 'CertificateRequest',
             14: 'ServerHelloDone', 15: 'CertificateVerify', 16: 'ClientKeyExchange', 20: 'Finished',
             22: 'CertificateStatus', 24: 'KeyUpdate', 254: 'MessageHash'}
LEVEL = {1: 'warning', 2: 'fatal'}
ALERT = {0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 40: 'handshake_failure',
         42: 'bad_certificate', 46: 'certificate_unknown', 48: 'unknown_ca', 70: 'protocol_version',
         80: 'internal_error', 90: 'user_canceled', 100: 'no_renegotiation', 116: 'certificate_required'}


def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


class Multi(list):
    """Several values tshark gave under one key (one per record / message)."""


def keep_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k not in d:
            d[k] = v
        elif isinstance(d[k], Multi):
            d[k].append(v)
        else:
            d[k] = Multi([d[k], v])
    return d


def num(v):
    v = as_list(v)[0]
    return int(v, 0) if isinstance(v, str) else int(v)


def main():
    capture = sys.argv[1]
    cmd = ['tshark', '-r', capture, '-n', '-o', 'tcp.desegment_tcp_streams:TRUE',
           '-o', 'tls.desegment_ssl_records:TRUE', '-T', 'json', '-J', 'tcp tls']
    if len(sys.argv) > 2:
        cmd += ['-o', 'tls.keylog_file:' + sys.argv[2]]
    # Decode the server port as TLS whatever it is (tshark only knows the usual ones).
    syn = subprocess.run(['tshark', '-r', capture, '-n', '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0',
                          '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.dstport'],
                         capture_output=True, text=True, check=True).stdout.split()
    if len(syn) < 2:
        sys.exit('no SYN in ' + capture)
    client_port, server_port = syn[0], syn[1]
    cmd += ['-d', 'tcp.port==%s,tls' % server_port]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    # tshark repeats a key for each record / message in one object: keep them all.
    packets = json.loads(out, object_pairs_hook=keep_duplicates)

    records = []
    for p in packets:
        layers = p['_source']['layers']
        side = 'C' if as_list(layers['tcp']['tcp.srcport'])[0] == client_port else 'S'
        for tls in as_list(layers.get('tls')):
            for rec in as_list(tls.get('tls.record')) if isinstance(tls, dict) else []:
                if not isinstance(rec, dict) or 'tls.record.content_type' not in rec and 'tls.record.opaque_type' not in rec:
                    continue
                records.append((side, rec))

    tls13 = any('tls.record.opaque_type' in r for _, r in records)
    ccs_seen = set()
    for side, rec in records:
        if 'tls.record.content_type' in rec:
            ct = num(rec['tls.record.content_type'])
        else:  # TLS 1.3 record that could not be decrypted
            ct = None
        enc = ('tls.record.opaque_type' in rec) if tls13 else (side in ccs_seen)
        words = [side]
        if enc:
            words.append('[enc]')
        if ct is None:
            words.append('opaque')
        else:
            words.append(CONTENT.get(ct, str(ct)))
        if ct == 22:
            hs = []
            for key, val in rec.items():
                if key == 'tls.handshake':
                    for h in as_list(val):
                        if isinstance(h, dict) and 'tls.handshake.type' in h:
                            t = num(h['tls.handshake.type'])
                            hs.append('%s(%d)' % (HANDSHAKE.get(t, 'type'), t))
            words += hs if hs else ['(undecrypted)']
        elif ct == 21:
            a = rec.get('tls.alert_message')
            if isinstance(a, dict) and 'tls.alert_message.level' in a:
                lv, ds = num(a['tls.alert_message.level']), num(a['tls.alert_message.desc'])
                words += ['%s(%d)' % (LEVEL.get(lv, 'level'), lv), '%s(%d)' % (ALERT.get(ds, 'alert'), ds)]
            else:
                words.append('(undecrypted)')
        elif ct == 20 and not tls13:
            ccs_seen.add(side)
        print(' '.join(words))


if __name__ == '__main__':
    main()
