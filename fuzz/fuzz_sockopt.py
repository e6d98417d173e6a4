"""Fuzz target: setsockopt()/getsockopt() arguments, differential against the
stdlib: real and bogus levels and option names, int/bytes/None values of any
size, the four-argument setsockopt(level, opt, None, optlen), and
getsockopt buffer lengths from negative to huge.

    python3 fuzz/fuzz_sockopt.py -max_total_time=60   # see fuzz/README.md
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

fs = fuzzlib.instrument()
std = fuzzlib.std

LEVELS = [std.SOL_SOCKET, std.IPPROTO_TCP, std.IPPROTO_IP, std.IPPROTO_IPV6,
          std.IPPROTO_UDP, 0, -1, 2**31, 999]
OPTIONS = sorted({getattr(std, n) for n in dir(std)
                  if n.startswith(("SO_", "TCP_", "IP_", "IPV6_"))
                  and isinstance(getattr(std, n), int)})
# Options whose value is different on every socket or every call, so only
# the shape of the result (type, length) can be compared.
VARYING = {(std.SOL_SOCKET, 57),           # SO_COOKIE
           (std.SOL_SOCKET, 49),           # SO_INCOMING_CPU
           (std.SOL_SOCKET, 71),           # SO_NETNS_COOKIE
           (std.SOL_SOCKET, 55),           # SO_MEMINFO
           (std.IPPROTO_TCP, 11),          # TCP_INFO
           (std.IPPROTO_TCP, 26),          # TCP_CC_INFO
           (std.IPPROTO_TCP, 24),          # TCP_SAVED_SYN
           (std.IPPROTO_TCP, 36),          # TCP_ZEROCOPY_RECEIVE
           (std.IPPROTO_TCP, 37)}          # TCP_INQ
# Options whose getsockopt() reads the caller's buffer as input, which the
# stdlib leaves uninitialized: even the errno is not reproducible.
UNSTABLE = {(std.IPPROTO_TCP, 35),         # TCP_ZEROCOPY_RECEIVE
            (std.IPPROTO_IPV6, 32)}        # IPV6_FLOWLABEL_MGR
# Options that would really change this machine's network behaviour or
# need a peer; setting them is not what this target is about.
SKIP_SET = {(std.SOL_SOCKET, 25)}          # SO_BINDTODEVICE


def _value(d):
    kind = d.below(6)
    if kind < 2:
        return d.int()
    if kind == 2:
        return d.raw(d.choice([4, 8, 16, 64, 300]))
    if kind == 3:
        return bytearray(d.raw(16))
    if kind == 4:
        return d.choice([None, True, False, 1.5, "1", memoryview(b"\1\0\0\0")])
    return d.value()


def _in(level, opt, table):
    """(level, opt) in table, for values that may not be hashable."""
    return isinstance(level, int) and isinstance(opt, int) and \
        (int(level), int(opt)) in table


def _shape(res, level, opt):
    """What can be compared of a getsockopt() outcome."""
    if _in(level, opt, UNSTABLE):
        return ("unstable",)
    if _in(level, opt, VARYING):
        value = res[1]
        return ("varying", type(value).__name__,
                len(value) if isinstance(value, bytes) else None)
    return res


def _new(mod, fam, stype):
    try:
        return mod.socket(fam, stype)
    except OSError:
        return None


def TestOneInput(data):
    d = fuzzlib.Data(data)
    fam = d.choice([std.AF_INET, std.AF_INET6, std.AF_UNIX])
    stype = d.choice([std.SOCK_STREAM, std.SOCK_DGRAM])
    socks = [_new(std, fam, stype), _new(fs, fam, stype)]
    if None in socks:
        fuzzlib.same("socket(%d, %d)" % (fam, stype),
                     socks[0] is None, socks[1] is None)
        for s in socks:
            if s is not None:
                s.close()
        return
    try:
        for _ in range(1 + d.below(4)):
            level = d.choice(LEVELS) if d.below(5) else d.value()
            opt = d.choice(OPTIONS) if d.below(5) else d.int()
            if d.bool():
                if _in(level, opt, SKIP_SET):
                    continue
                if d.below(4) == 0:
                    args = (level, opt, None, d.int() if d.bool() else
                            d.choice([0, 1, 4, 8, 1024]))
                else:
                    args = (level, opt, _value(d))
                if d.below(10) == 0:
                    args = args[:d.below(len(args))]
                what = "setsockopt%r" % (args,)
                res = [_shape(fuzzlib.outcome(s.setsockopt, *args), level, opt)
                       for s in socks]
            else:
                kind = d.below(4)
                if kind == 0:
                    args = (level, opt)
                elif kind == 1:
                    args = (level, opt, d.choice([-1, 0, 1, 4, 8, 100, 1024,
                                                  1025, 2**31, 2**63, 2**64]))
                elif kind == 2:
                    args = (level, opt, d.value())
                else:
                    args = (level, opt, d.below(1100))
                what = "getsockopt%r" % (args,)
                res = [_shape(fuzzlib.outcome(s.getsockopt, *args), level, opt)
                       for s in socks]
            fuzzlib.same(what + " on socket(%d, %d)" % (fam, stype), *res)
    finally:
        for s in socks:
            s.close()


if __name__ == "__main__":
    fuzzlib.main(TestOneInput)
