#!/usr/bin/env python3
"""Counts the TLS records that ../shared/oracle/make-oracle.py leaves out.

make-oracle.py counts `tls.record.content_type` values of a packet, and only
falls back to `tls.record.opaque_type` when a packet has no content type at
all (`cts or ots`). tshark reports TLS 1.3 encrypted records (outer type 23)
as opaque_type, so when one packet carries a clear record (ServerHello,
ChangeCipherSpec) *and* encrypted ones, the encrypted ones are not counted.
This script counts exactly those records per connection and side, so the
corpus test can show that the difference is the oracle's, record by record.

    tools/oracle-opaque-records.py > Tests/PipelineTests/Fixtures/oracle-opaque-records.json
    tools/oracle-opaque-records.py --out-of-order > Tests/PipelineTests/Fixtures/oracle-out-of-order/opaque-records.json

Needs tshark (Debian package `tshark`).
"""
import glob, json, os, subprocess, sys

FIELDS = ['tcp.stream', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport',
          'tls.record.content_type', 'tls.record.opaque_type', 'tls.handshake.type']

def main():
    out_of_order = '--out-of-order' in sys.argv
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.join(here, '..', '..', 'shared', 'captures')
    oracles = os.path.join(here, '..', 'Tests', 'PipelineTests', 'Fixtures', 'oracle-out-of-order') if out_of_order else root
    result = {}
    for oracle in sorted(glob.glob(os.path.join(oracles, '*', '*.oracle.json'))):
        cap = os.path.join(root, os.path.relpath(oracle, oracles)[:-len('.oracle.json')])
        conns = {(o['client'], o['server']) for o in json.load(open(oracle))}
        extra = ['-o', 'tcp.reassemble_out_of_order:TRUE'] if out_of_order else []
        cmd = ['tshark', '-r', cap, '-n', '-o', 'tcp.desegment_tcp_streams:TRUE'] + extra + ['-o', 'tls.desegment_ssl_records:TRUE',
               '-Y', 'tcp', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,']
        for f in FIELDS:
            cmd += ['-e', f]
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        counts = {}
        for line in out.splitlines():
            v = dict(zip(FIELDS, line.split('\t')))
            src = '%s:%s' % (v['ip.src'] or v['ipv6.src'], v['tcp.srcport'])
            dst = '%s:%s' % (v['ip.dst'] or v['ipv6.dst'], v['tcp.dstport'])
            cts = [x for x in v['tls.record.content_type'].split(',') if x]
            ots = [x for x in v['tls.record.opaque_type'].split(',') if x]
            if not (cts and ots):
                continue
            if (src, dst) in conns:
                key, side = '%s|%s' % (src, dst), 'client'
            elif (dst, src) in conns:
                key, side = '%s|%s' % (dst, src), 'server'
            else:
                continue
            c = counts.setdefault(key, {'client': 0, 'server': 0})
            c[side] += sum(1 for x in ots if x == '23')
        if counts:
            result[os.path.relpath(cap, root)] = counts
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    print()

if __name__ == '__main__':
    main()
