"""Fuzz target: inet_pton/inet_ntop/inet_aton/inet_ntoa and the byte-order
functions, with arguments of any type and value, differential against the
stdlib.

    python3 fuzz/fuzz_inet.py -max_total_time=60      # see fuzz/README.md
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

fs = fuzzlib.instrument()
std = fuzzlib.std

FAMILIES = [std.AF_INET, std.AF_INET6, std.AF_UNIX, 0, -1, 2**31, 255]


def _address_text(d):
    """A string that is often nearly an address, sometimes anything."""
    kind = d.below(5)
    if kind == 0:
        return ".".join(str(d.int() if d.bool() else d.below(300))
                        for _ in range(d.below(6)))
    if kind == 1:
        parts = ["%x" % d.below(0x1ffff) for _ in range(d.below(10))]
        text = ":".join(parts)
        if d.bool():
            text = text.replace(":", "::", 1)
        if d.bool():
            text += "%" + d.text(8)
        return text
    if kind == 2:
        return d.text()
    if kind == 3:
        return d.value()
    return d.raw(20)


def _packed(d):
    kind = d.below(4)
    if kind == 0:
        return d.raw(20)
    if kind == 1:
        return bytearray(d.raw(20))
    if kind == 2:
        return memoryview(d.raw(20))
    return d.value()


def TestOneInput(data):
    d = fuzzlib.Data(data)
    for _ in range(1 + d.below(4)):
        op = d.below(6)
        if op == 0:
            arg = _address_text(d)
            fuzzlib.same("inet_aton(%r)" % (arg,),
                         fuzzlib.outcome(std.inet_aton, arg),
                         fuzzlib.outcome(fs.inet_aton, arg))
        elif op == 1:
            arg = _packed(d)
            fuzzlib.same("inet_ntoa(%r)" % (arg,),
                         fuzzlib.outcome(std.inet_ntoa, arg),
                         fuzzlib.outcome(fs.inet_ntoa, arg))
        elif op == 2:
            fam = d.choice(FAMILIES) if d.below(8) else d.value()
            arg = _address_text(d)
            fuzzlib.same("inet_pton(%r, %r)" % (fam, arg),
                         fuzzlib.outcome(std.inet_pton, fam, arg),
                         fuzzlib.outcome(fs.inet_pton, fam, arg))
        elif op == 3:
            fam = d.choice(FAMILIES) if d.below(8) else d.value()
            arg = _packed(d)
            fuzzlib.same("inet_ntop(%r, %r)" % (fam, arg),
                         fuzzlib.outcome(std.inet_ntop, fam, arg),
                         fuzzlib.outcome(fs.inet_ntop, fam, arg))
        elif op == 4:
            # pton then ntop: the canonical text must agree too.
            fam = d.choice([std.AF_INET, std.AF_INET6])
            packed = d.raw(16 if fam == std.AF_INET6 else 4)
            fuzzlib.same("inet_ntop(%r, %r)" % (fam, packed),
                         fuzzlib.outcome(std.inet_ntop, fam, packed),
                         fuzzlib.outcome(fs.inet_ntop, fam, packed))
        else:
            name = d.choice(["htons", "ntohs", "htonl", "ntohl"])
            arg = d.int() if d.below(4) else d.value()
            fuzzlib.same("%s(%r)" % (name, arg),
                         fuzzlib.outcome(getattr(std, name), arg),
                         fuzzlib.outcome(getattr(fs, name), arg))


if __name__ == "__main__":
    fuzzlib.main(TestOneInput)
