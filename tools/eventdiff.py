#!/usr/bin/env python3
# Used to prove a refactor keeps the events: tools/eventdiff.py OLD.json NEW.json
"""Sorted line-for-line comparison of two tlsdump JSON outputs (stats excluded),
then the differing lines grouped: per event type, which top-level keys differ
between lines matched by (type, flow, ts, handshake)."""
import json, sys, collections
def load(p):
    return [l.rstrip('\n') for l in open(p) if '"type":"stats"' not in l]
a, b = load(sys.argv[1]), load(sys.argv[2])
ca, cb = collections.Counter(a), collections.Counter(b)
only_a = list((ca - cb).elements()); only_b = list((cb - ca).elements())
print(f"lines: old {len(a)}, new {len(b)}, identical after sorting: {sum((ca & cb).values())}")
print(f"only in old: {len(only_a)}, only in new: {len(only_b)}")
def key(o): return (o.get('type'), o.get('flow'), o.get('ts'), o.get('handshake'), o.get('id'))
ma = collections.defaultdict(list); mb = collections.defaultdict(list)
for l in only_a: o = json.loads(l); ma[key(o)].append(o)
for l in only_b: o = json.loads(l); mb[key(o)].append(o)
groups = collections.Counter(); examples = {}
def diffpaths(x, y, path=''):
    if isinstance(x, dict) and isinstance(y, dict):
        out = []
        for k in sorted(set(x) | set(y)):
            if k not in x: out.append(f"{path}.{k} added")
            elif k not in y: out.append(f"{path}.{k} removed")
            elif x[k] != y[k]: out += diffpaths(x[k], y[k], f"{path}.{k}")
        return out
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        out = []
        for i, (p, q) in enumerate(zip(x, y)): out += diffpaths(p, q, f"{path}[]")
        return out
    return [f"{path} changed"]
for k in set(ma) | set(mb):
    xs, ys = ma.get(k, []), mb.get(k, [])
    for x, y in zip(xs, ys):
        g = (k[0], tuple(sorted(set(diffpaths(x, y)))))
        groups[g] += 1; examples.setdefault(g, (x.get('flow'), k))
    for x in xs[len(ys):]: groups[(k[0], ('only in old',))] += 1; examples.setdefault((k[0], ('only in old',)), (x.get('flow'), k))
    for y in ys[len(xs):]: groups[(k[0], ('only in new',))] += 1; examples.setdefault((k[0], ('only in new',)), (y.get('flow'), k))
for g, n in groups.most_common():
    print(f"{n:7d}  {g[0]}: {'; '.join(g[1])}   e.g. {examples[g]}")
