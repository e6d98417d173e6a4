"""Fuzz target: the socket file (makefile) over data arriving in random chunk
sizes, differential against the stdlib's makefile on the same input: a writer
thread sends the fuzzed data as fuzzed chunks while the reader runs a fuzzed
sequence of read(n), readline(limit), readlines(hint), readinto() and
iteration, in binary and text modes with any buffer size, encoding, newline
and errors setting.  Only operations whose result cannot depend on how the
bytes were split (not read1, peek or raw reads) are compared.

    python3 fuzz/fuzz_makefile.py -max_total_time=60  # see fuzz/README.md
"""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzzlib  # noqa: E402

fs = fuzzlib.instrument()
std = fuzzlib.std

SIZES = [-1, None, 0, 1, 2, 3, 5, 8, 64, 100, 4096, 8193]


def _payload(d):
    """Bytes rich in line endings and multi-byte characters."""
    parts = []
    for _ in range(d.below(24)):
        kind = d.below(6)
        if kind == 0:
            parts.append(d.choice([b"\n", b"\r\n", b"\r", b"\n\n"]))
        elif kind == 1:
            parts.append(d.choice(["é", "日本", "\u2028", "😀"]).encode())
        elif kind == 2:
            parts.append(b"x" * d.choice([1, 100, 5000, 70000]))
        else:
            parts.append(d.raw(40))
    return b"".join(parts)


def _chunks(d, payload):
    out = []
    pos = 0
    while pos < len(payload):
        n = d.choice([1, 1, 2, 3, 7, 64, 1000, 65536])
        if len(out) >= 64:
            n = len(payload)     # bound the number of sends per input
        out.append(payload[pos:pos + n])
        pos += n
    return out


def _ops(d, binary):
    ops = []
    for _ in range(1 + d.below(8)):
        kind = d.below(6 if binary else 5)
        if kind == 0:
            ops.append(("read", d.choice(SIZES)))
        elif kind in (1, 2):
            ops.append(("readline", d.choice(SIZES)))
        elif kind == 3:
            ops.append(("readlines", d.choice([-1, 0, 1, 10, 1000])))
        elif kind == 4:
            ops.append(("next", d.below(4) + 1))
        else:
            ops.append(("readinto", d.choice([0, 1, 3, 100, 5000])))
    if d.below(4) == 0:
        ops.append(("read", -1))
    return ops


def _writer(sock, chunks):
    try:
        for chunk in chunks:
            sock.sendall(chunk)
        sock.shutdown(std.SHUT_WR)
    except OSError:
        pass                     # the reader closed early: fine


def _apply(f, op):
    name, arg = op
    if name == "read":
        return f.read(arg) if arg is not None else f.read()
    if name == "readline":
        return f.readline(arg) if arg is not None else f.readline()
    if name == "readlines":
        return f.readlines(arg)
    if name == "next":
        return [next(f) for _ in range(arg)]
    buf = bytearray(arg)
    n = f.readinto(buf)
    return (n, bytes(buf))


def _run(mod, mode, kwargs, chunks, ops):
    a, b = mod.socketpair()
    b.settimeout(10)
    writer = threading.Thread(target=_writer, args=(a, chunks))
    writer.start()
    results = []
    f = None
    try:
        opened = fuzzlib.outcome(b.makefile, mode, **kwargs)
        if opened[0] != "ok":
            return [opened]
        f = opened[1]
        for op in ops:
            res = fuzzlib.outcome(_apply, f, op)
            results.append(res)
            if res[0] == "raise" and res[1] not in ("StopIteration",
                                                     "ValueError"):
                break            # a decode error: the stream position is gone
        f.close()
        if "w" not in mode:
            # A closed file refuses to read.  (The stdlib's read/write pair
            # still serves bytes left in its buffer after close(): that
            # depends on the chunking, so it is not compared.)
            results.append(fuzzlib.outcome(f.read, 1))
    finally:
        if f is not None:
            f.close()
        b.close()
        writer.join(30)
        a.close()
    return results


def TestOneInput(data):
    d = fuzzlib.Data(data)
    binary = d.below(3) != 0
    if binary:
        # Not "rwb": the stdlib's BufferedRWPair answers readline(limit)
        # differently depending on how the bytes arrived, so it cannot be
        # the reference for a differential target.
        mode = d.choice(["rb", "rb", "br"])
        kwargs = {"buffering": d.choice([None, None, 1, 2, 7, 64, 8192, -1])}
    else:
        mode = "r"
        kwargs = {"encoding": d.choice(["utf-8", "latin-1", "ascii",
                                        "utf-16", None]),
                  "errors": d.choice([None, "strict", "replace",
                                      "surrogateescape"]),
                  "newline": d.choice([None, "", "\n", "\r", "\r\n"]),
                  "buffering": d.choice([None, 1, 16, 8192])}
        if kwargs["encoding"] is None:
            kwargs["encoding"] = "utf-8"   # not the locale's: reproducible
    if not kwargs.get("buffering"):
        kwargs.pop("buffering", None)
    payload = _payload(d)
    if not binary:
        # Valid text only: where a decode error surfaces depends on how
        # the bytes were split, in the stdlib as anywhere.
        text = payload.decode("utf-8", "replace")
        payload = text.encode(kwargs["encoding"], "replace")
    chunks = _chunks(d, payload)
    ops = _ops(d, binary)
    std_res = _run(std, mode, kwargs, chunks, ops)
    fs_res = _run(fs, mode, kwargs, chunks, ops)
    fuzzlib.same("makefile(%r, %r) reading %r in chunks %r with %r" % (
        mode, kwargs, payload[:200], [len(c) for c in chunks][:50], ops),
        std_res, fs_res)


if __name__ == "__main__":
    fuzzlib.main(TestOneInput)
