"""Fuzz target: sendmsg()/recvmsg()/recvmsg_into() and their ancillary data,
differential against the stdlib, over AF_UNIX socket pairs: buffers of any
type and count, ancillary items of any shape (SCM_RIGHTS with real and bogus
descriptors, SCM_CREDENTIALS, nonsense levels), flags, addresses, and
receive buffer and ancillary buffer sizes from zero to huge, plus
CMSG_LEN/CMSG_SPACE.

    python3 fuzz/fuzz_msg.py -max_total_time=60       # see fuzz/README.md
"""
import array
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

fs = fuzzlib.instrument()
std = fuzzlib.std

SOL_SOCKET = std.SOL_SOCKET
SCM_RIGHTS = std.SCM_RIGHTS
SCM_CREDENTIALS = getattr(std, "SCM_CREDENTIALS", 2)
# Descriptor numbers that are never open here (so both modules see EBADF).
BAD_FDS = [-1, 2**31 - 1, 99999, 65535]
DEVNULL = {}


def _fd_data(d, mod_name):
    """SCM_RIGHTS payload: a mix of our /dev/null fds and bad numbers."""
    fds = []
    for _ in range(d.below(5)):
        if d.below(3):
            fds.append(DEVNULL[mod_name][d.below(2)])
        else:
            fds.append(d.choice(BAD_FDS))
    data = array.array("i", fds).tobytes()
    if d.below(6) == 0:
        data = data[:max(0, len(data) - 1 - d.below(3))]   # ragged length
    return data


def _cred_data(d):
    if d.bool():
        return struct.pack("iII", os.getpid(), os.getuid(), os.getgid())
    return struct.pack("iII", d.choice([0, -1, 1, os.getpid()]),
                       d.choice([0, 1, 65534, 2**32 - 1]),
                       d.choice([0, 1, 65534, 2**32 - 1]))[:d.choice([12, 12, 8])]


def _ancdata(d, plan, mod_name):
    """Build the ancillary list from a plan drawn once for both modules."""
    items = []
    for kind, level, typ, raw in plan:
        if kind == "rights":
            items.append((SOL_SOCKET, SCM_RIGHTS, raw[mod_name]))
        elif kind == "creds":
            items.append((SOL_SOCKET, SCM_CREDENTIALS, raw))
        elif kind == "shape":
            items.append(raw)
        else:
            items.append((level, typ, raw))
    return items


def _plan(d):
    plan = []
    for _ in range(d.below(4)):
        kind = d.choice(["rights", "rights", "creds", "odd", "shape"])
        if kind == "rights":
            sub = fuzzlib.Data(d.raw(12))
            raws = {}
            for name in ("std", "fs"):
                sub.pos = 0
                raws[name] = _fd_data(sub, name)
            plan.append((kind, None, None, raws))
        elif kind == "creds":
            plan.append((kind, None, None, _cred_data(d)))
        elif kind == "odd":
            plan.append((kind, d.choice([SOL_SOCKET, 0, -1, 2**31, 2**63]),
                         d.choice([SCM_RIGHTS, 0, 99, -1, 2**40]),
                         d.choice([b"", d.raw(20), bytearray(4), "str", None,
                                   memoryview(b"1234")])))
        else:
            plan.append((kind, None, None, d.value()))
    if d.below(10) == 0:
        return ("raw", d.value())          # not even a list of items
    return ("plan", plan)


def _buffers(d):
    kind = d.below(8)
    if kind == 0:
        return d.value()
    if kind == 1:
        return [d.raw(8) for _ in range(d.choice([0, 1, 2, 1024, 1025]))]
    return [d.choice([d.raw(64), bytearray(d.raw(16)), memoryview(d.raw(16)),
                      b"", "str", None, 7, array.array("i", [1, 2])])
            for _ in range(d.below(5))]


def _normalize(res):
    """Close received descriptors and hide their (differing) numbers.
    Works for recvmsg()'s (data, ancdata, flags, address) and for
    recvmsg_into()'s (nbytes, ancdata, flags, address) alike."""
    if res[0] != "ok" or not isinstance(res[1], tuple) or len(res[1]) != 4:
        return res
    data, anc, flags, addr = res[1]
    items = []
    for level, typ, payload in anc:
        if level == SOL_SOCKET and typ == SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            for fd in array.array("i", payload[:usable]):
                try:
                    os.close(fd)
                except OSError:
                    pass
            payload = ("fds", len(payload))
        items.append((level, typ, payload))
    return ("ok", (data, items, flags, addr))


def _recv(d):
    """One receive call, drawn once and replayed on both modules."""
    base = std.MSG_DONTWAIT          # never block, whatever else is fuzzed
    extra = 0
    for flag in (std.MSG_PEEK, std.MSG_TRUNC, std.MSG_CMSG_CLOEXEC,
                 std.MSG_WAITALL):
        if d.below(4) == 0:
            extra |= flag
    flags = base | extra
    ancsize = d.choice([0, 1, 8, 16, 20, 24, 32, 64, 1024, -1, 2**31, 2**63,
                        std.CMSG_SPACE(4), std.CMSG_LEN(4), std.CMSG_SPACE(12)])
    if d.bool():
        bufsize = d.choice([0, 1, 2, 7, 64, 4096, 65536, -1, 2**63, 2**64])
        if d.below(10) == 0:
            return ("recvmsg", (d.value(),), True)
        return ("recvmsg", (bufsize, ancsize, flags), False)
    sizes = [d.choice([0, 1, 3, 16, 100]) for _ in range(d.below(4))]
    if d.below(10) == 0:
        return ("recvmsg_into", (d.value(), ancsize, flags), True)
    return ("recvmsg_into", (sizes, ancsize, flags), False)


def _do_recv(sock, call):
    name, args, raw = call
    if name == "recvmsg":
        return _normalize(fuzzlib.outcome(sock.recvmsg, *args))
    if raw:
        return _normalize(fuzzlib.outcome(sock.recvmsg_into, *args))
    bufs = [bytearray(n) for n in args[0]]
    res = _normalize(fuzzlib.outcome(sock.recvmsg_into, bufs, *args[1:]))
    # recvmsg_into's tuple also has the ancillary list second; add what
    # landed in the buffers to what is compared.
    return res + (bytes(b"".join(bufs)),)


def _pairs(stype):
    out = {}
    for name, mod in (("std", std), ("fs", fs)):
        a, b = mod.socketpair(mod.AF_UNIX, stype)
        a.setblocking(False)
        b.setblocking(False)
        out[name] = (a, b)
    return out


def TestOneInput(data):
    if not DEVNULL:
        for name in ("std", "fs"):
            DEVNULL[name] = [os.open(os.devnull, os.O_RDONLY) for _ in range(2)]
    d = fuzzlib.Data(data)
    if d.below(8) == 0:
        n = d.int() if d.bool() else d.value()
        for fn in ("CMSG_LEN", "CMSG_SPACE"):
            fuzzlib.same("%s(%r)" % (fn, n),
                         fuzzlib.outcome(getattr(std, fn), n),
                         fuzzlib.outcome(getattr(fs, fn), n))
        return
    stype = d.choice([std.SOCK_STREAM, std.SOCK_DGRAM, std.SOCK_SEQPACKET])
    pairs = _pairs(stype)
    try:
        if d.below(3) == 0:
            for name in pairs:
                pairs[name][1].setsockopt(SOL_SOCKET, std.SO_PASSCRED, 1)
        for _ in range(1 + d.below(3)):
            bufs = _buffers(d)
            plan = _plan(d)
            flags = d.choice([0, 0, 0, std.MSG_DONTWAIT, std.MSG_NOSIGNAL,
                              -1, 2**31, None])
            addr_kind = d.below(6)
            addr = d.choice(["", "nosuch", b"\0nosuch", 5, None]) \
                if addr_kind == 0 else None
            nargs = d.choice([1, 2, 2, 3, 4]) if addr_kind else 4
            res = []
            for name, mod in (("std", std), ("fs", fs)):
                anc = _ancdata(d, plan[1], name) if plan[0] == "plan" \
                    else plan[1]
                args = (bufs, anc, flags, addr)[:nargs]
                res.append(fuzzlib.outcome(pairs[name][0].sendmsg, *args))
            fuzzlib.same("sendmsg%r" % ((bufs, plan, flags, addr)[:nargs],),
                         *res)
            call = _recv(d)
            res = [_do_recv(pairs[name][1], call) for name in ("std", "fs")]
            fuzzlib.same("%s%r after sendmsg" % call[:2], *res)
    finally:
        for a, b in pairs.values():
            a.close()
            b.close()


if __name__ == "__main__":
    fuzzlib.main(TestOneInput)
