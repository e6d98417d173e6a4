"""PNG plots of a benchmark run (bench/run.py calls make_all)."""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"stdlib": "#d62728", "fastsock": "#1f77b4", "c": "#7f7f7f"}


def _subtitle(doc):
    m = doc["machine"]
    return "%s, %s CPUs, Python %s, %s (%s run)" % (
        m.get("Model name", "?"), m.get("nproc", "?"), m.get("python", "?"),
        doc["date"], doc["mode"])


def plot_speedup(doc, path):
    """fastsock's speedup over the stdlib per scenario, with its target."""
    rows = [r for r in doc["scenarios"] + doc["micro"] if r.get("speedup")]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.38 * len(rows) + 1.6))
    ys = range(len(rows))
    vals = [r["speedup"] for r in rows]
    colors = []
    for r in rows:
        t = r.get("target") or {}
        colors.append("#2ca02c" if t.get("met") else
                      "#d62728" if t.get("met") is False else COLORS["fastsock"])
    ax.barh(list(ys), vals, color=colors)
    for y, r in zip(ys, rows):
        t = r.get("target") or {}
        if t.get("kind") == "speedup":
            ax.plot([t["value"]] * 2, [y - 0.4, y + 0.4], color="black", lw=2)
        ax.text(r["speedup"], y, " %.2fx" % r["speedup"], va="center", fontsize=8)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_yticks(list(ys))
    ax.set_yticklabels([r["name"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("fastsock speedup over the stdlib (x, log scale; "
                  "black tick = target; green met, red missed)")
    ax.set_title("fastsock vs stdlib\n" + _subtitle(doc), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_vs_c(doc, path):
    """Each implementation's cost relative to the plain C program."""
    rows = [r for r in doc["scenarios"] + doc["micro"]
            if r.get("stdlib_vs_c") or r.get("fastsock_vs_c")]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.6))
    h = 0.38
    for k, impl in enumerate(("stdlib", "fastsock")):
        vals = [r.get(impl + "_vs_c") or 0 for r in rows]
        ax.barh([y + (k - 0.5) * h for y in range(len(rows))], vals, height=h,
                color=COLORS[impl], label=impl)
    for y, r in enumerate(rows):
        t = r.get("target") or {}
        if t.get("kind") == "vs_c":
            ax.plot([t["value"]] * 2, [y - 0.45, y + 0.45], color="black", lw=2)
    ax.axvline(1.0, color="black", lw=0.8, ls="--")
    ax.set_yticks(list(range(len(rows))))
    ax.set_yticklabels([r["name"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("cost relative to plain C (x, log scale; 1 = C; "
                  "black tick = fastsock target)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("distance from a plain C program\n" + _subtitle(doc), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_micro(doc, path):
    """Nanoseconds per call for the per-call micro benchmarks."""
    rows = doc["micro"]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.6))
    h = 0.27
    for k, impl in enumerate(("stdlib", "fastsock", "c")):
        vals = [(r.get(impl) or {}).get("median", 0) for r in rows]
        ax.barh([y + (k - 1) * h for y in range(len(rows))], vals, height=h,
                color=COLORS[impl], label=impl if impl != "c" else "C")
    ax.set_yticks(list(range(len(rows))))
    ax.set_yticklabels([r["title"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("ns per call (pyperf median; C: best of 5; log scale)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("per-call cost\n" + _subtitle(doc), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


PEER_STYLE = {
    "stdlib": ("#d62728", "o", "-"),
    "fastsock": ("#1f77b4", "o", "-"),
    "fastsock-pool": ("#17becf", "s", "-"),
    "asyncio-streams": ("#ff7f0e", "^", "--"),
    "asyncio-protocol": ("#bcbd22", "v", "--"),
    "uvloop-protocol": ("#2ca02c", "D", "--"),
    "gevent": ("#9467bd", "P", ":"),
    "twisted": ("#8c564b", "X", ":"),
    # Two processes (informative): the colour of the one-process server.
    "fastsock-x2": ("#1f77b4", "o", "-."),
    "fastsock-pool-x2": ("#17becf", "s", "-."),
    "uvloop-protocol-x2": ("#2ca02c", "D", "-."),
}


def plot_peers(doc, path):
    """Requests per second against connections, one line per server: the
    persistent loads on the left, the short ones on the right."""
    peers = doc["peers"]
    rows = peers["rows"]
    if not rows:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    for ax, mode in zip(axes, ("persistent", "short")):
        mine = [r for r in rows if r["mode"] == mode]
        for name, label in peers["labels"].items():
            pts = [(r["conns"], r["servers"][name]["rate"]["median"])
                   for r in mine if name in r["servers"]]
            if not pts:
                continue
            color, marker, ls = PEER_STYLE.get(name, ("black", "o", "-"))
            if name in peers.get("informative", ()):
                label += " (informative)"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color,
                    marker=marker, ls=ls, label=label, mfc="none"
                    if name in peers.get("informative", ()) else color)
        ax.set_xscale("log", base=2)
        ax.set_xticks([r["conns"] for r in mine])
        ax.set_xticklabels([str(r["conns"]) for r in mine])
        ax.set_ylim(bottom=0)
        ax.set_xlabel("connections")
        ax.set_ylabel("requests/s (median of %d rounds)" % peers["rounds"])
        ax.set_title("%s connections" % mode, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle("timestamp server: fastsock vs the peers\n" + "%s, %s CPUs, "
                 "Python %s, %s" % (doc["machine"].get("Model name", "?"),
                                    doc["machine"].get("nproc", "?"),
                                    doc["machine"].get("python", "?"),
                                    doc["date"]), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def make_all(doc, out):
    made = [plot_speedup(doc, os.path.join(out, "speedup.png")),
            plot_vs_c(doc, os.path.join(out, "vs_c.png")),
            plot_micro(doc, os.path.join(out, "micro.png"))]
    return [p for p in made if p]
