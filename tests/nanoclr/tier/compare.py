"""Compares the tier app's .NET and nanoCLR outputs case by case (lines after each "case NAME" header) and prints
one line per case, "nanoclr NAME (N lines equal): ok" or "nanoclr NAME: FAIL: why". A case also fails when it
printed an UNEXPECTED EXCEPTION line (even if both runs agree), and a model's stream case fails when it did not
mix updates and skips or its self-test did not pass.
Usage: compare.py HOST.txt DEVICE.txt (exit code 1 when a case failed)
"""
import sys


def cases(path):
    out, name = {}, None
    order = []
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("case "):
            name = line[5:]; order.append(name); out[name] = []
        elif name is not None and line != "tier: end":
            out[name].append(line)
    return order, out
order, host = cases(sys.argv[1])
_, device = cases(sys.argv[2])
failed = not order
if failed:
    print("nanoclr cases: FAIL: the .NET run printed no case")
for name in order:
    h, d = host[name], device.get(name)
    problem = None
    if d is None: problem = "missing on nanoCLR"
    elif h != d:
        i = next((k for k in range(max(len(h), len(d))) if k >= len(h) or k >= len(d) or h[k] != d[k]))
        problem = "line %d differs: .NET %r, nanoCLR %r" % (i + 1, h[i] if i < len(h) else None, d[i] if i < len(d) else None)
    elif any(l.startswith("UNEXPECTED EXCEPTION") for l in h): problem = next(l for l in h if l.startswith("UNEXPECTED EXCEPTION"))
    elif name.startswith(("models/", "random")):
        counts = next((l for l in h if l.startswith("counts ")), "")
        if " updates=0 " in counts + " " or " skips=0 " in counts + " ": problem = "the stream does not mix updates and skips: " + counts
        elif not any(l.startswith(("self-test passed", "no self-test")) for l in h): problem = "self-test did not pass"
    if problem is None:
        print("nanoclr %s (%d lines equal): ok" % (name, len(h)))
    else:
        print("nanoclr %s: FAIL: %s" % (name, problem))
        failed = True
sys.exit(1 if failed else 0)
