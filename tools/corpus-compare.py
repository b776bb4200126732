#!/usr/bin/env python3
"""Compare tlsdump's `connection` events with the tshark oracle files.

    tools/corpus-compare.py [--tlsdump PATH] [--verbose] [CAPTURE_DIR ...]

Prints one line per disagreement and a final agreement figure. The Swift
corpus test (Tests/PipelineTests/CorpusTests.swift) asserts the same rules;
this script is for quick iteration while developing.
"""
import argparse, glob, json, os, subprocess, sys

CT = ['handshake', 'change_cipher_spec', 'alert', 'application_data', 'heartbeat']
HS = {'HelloRequest': 0, 'ClientHello': 1, 'ServerHello': 2, 'HelloVerifyRequest': 3, 'NewSessionTicket': 4, 'EndOfEarlyData': 5,
      'HelloRetryRequest': 6, 'EncryptedExtensions': 8, 'Certificate': 11, 'ServerKeyExchange': 12, 'CertificateRequest': 13,
      'ServerHelloDone': 14, 'CertificateVerify': 15, 'ClientKeyExchange': 16, 'Finished': 20, 'CertificateURL': 21,
      'CertificateStatus': 22, 'SupplementalData': 23, 'KeyUpdate': 24, 'CompressedCertificate': 25, 'NextProtocol': 67}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tlsdump', default='.build/debug/tlsdump')
    ap.add_argument('--verbose', '-v', action='store_true')
    ap.add_argument('dirs', nargs='*', default=['../shared/captures/zeek', '../shared/captures/ja4'])
    a = ap.parse_args()
    total = agree = 0
    for d in a.dirs:
        for oracle in sorted(glob.glob(os.path.join(d, '*.oracle.json'))):
            cap = oracle[:-len('.oracle.json')]
            out = subprocess.run([a.tlsdump, '-r', cap, '--format', 'json'], capture_output=True, text=True)
            conns = {}
            for line in out.stdout.splitlines():
                e = json.loads(line)
                if e['type'] == 'connection':
                    c = e['client']; s = e['server']
                    def ep(x):
                        return '%s:%d' % (x['ip'], x['port'])
                    conns[(ep(c), ep(s))] = e
            for o in json.load(open(oracle)):
                total += 1
                e = conns.get((o['client'], o['server']))
                swapped = False
                if e is None and (o['server'], o['client']) in conns:
                    # tshark names the first packet's sender the client when it saw no hello and no SYN.
                    e = conns[(o['server'], o['client'])]
                    swapped = True
                name = os.path.basename(cap)
                if e is None:
                    print('%s %s->%s: missing connection' % (name, o['client'], o['server']))
                    continue
                diffs = []
                v = e['version']
                ov = o['version']
                if ov is not None:
                    names = {'0x0300': 'SSLv3', '0x0301': 'TLSv1.0', '0x0302': 'TLSv1.1', '0x0303': 'TLSv1.2', '0x0304': 'TLSv1.3'}
                    exp = names.get(ov) or ('TLSv1.3-draft%d' % int(ov[4:], 16) if ov.startswith('0x7f') else ov)
                    if v != exp: diffs.append('version %s != %s' % (v, exp))
                cs = e['cipher_suite']['code'] if e['cipher_suite'] else None
                if o['cipher'] is not None and cs != o['cipher']: diffs.append('cipher %s != %s' % (cs, o['cipher']))
                if e['sni'] != o['sni']: diffs.append('sni %r != %r' % (e['sni'], o['sni']))
                for side in ('client', 'server'):
                    oside = side if not swapped else ('server' if side == 'client' else 'client')
                    hs = []
                    for h in e['handshakes']:
                        for m in h['messages']:
                            if m['sender'] == side and not m['encrypted']:
                                t = m['type']
                                hs.append(HS.get(t, t))
                    if hs != o['handshake'][oside]: diffs.append('%s handshake %s != %s' % (side, hs, o['handshake'][oside]))
                    al = [x for x in e['alerts'] if x['sender'] == side and not x['encrypted']]
                    if len(al) != len(o['alerts'][oside]): diffs.append('%s alerts %s != %s' % (side, al, o['alerts'][oside]))
                    rc = {k: v for k, v in e['records'][side].items() if v and k != 'sslv2'}
                    orc = {k: v for k, v in o['records'][oside].items() if v}
                    if rc != orc: diffs.append('%s records %s != %s' % (side, rc, orc))
                if diffs:
                    print('%s %s->%s: %s' % (name, o['client'], o['server'], '; '.join(diffs)))
                else:
                    agree += 1
    print('agreement: %d/%d (%.1f%%)' % (agree, total, 100.0 * agree / max(total, 1)))

if __name__ == '__main__':
    main()
