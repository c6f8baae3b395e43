#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots of a benchmark run: PNG files next to the CSVs (Debian's python3-matplotlib).

    test/perf/plot.py DIR [--dpi N]       (default 110; docs/perf/ uses 72)

Reads DIR/results.csv (run_matrix.py), DIR/micro.csv (vs-perf --csv) and
DIR/callgrind.csv (callgrind.sh) when present, and writes:
  DIR/ratio.png        vseal / testpmd io per case (Mpps, and cycles per frame on CPU)
  DIR/frame_size.png   Mpps and Gbps against the frame size, vseal and testpmd io
  DIR/cycles.png       cycles per frame per case: vseal's TSC accounting, and vseal and
                       testpmd io on CPU
  DIR/micro.png        microbenchmark: cycles per packet per function, and lookups by table
"""

import csv
import os
import sys

import matplotlib
matplotlib.use("Agg")
DPI = 110
import matplotlib.pyplot as plt  # noqa: E402


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def read(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def errs(rows, med, lo, hi):
    """Error bar lengths (below, above) from min/max columns."""
    below = [max(0.0, num(r[med]) - num(r[lo])) if num(r[lo]) is not None else 0 for r in rows]
    above = [max(0.0, num(r[hi]) - num(r[med])) if num(r[hi]) is not None else 0 for r in rows]
    return [below, above]


def plot_ratio(rows, out):
    rows = [r for r in rows if num(r.get("ratio")) is not None]
    if not rows:
        return
    names = [r["case"] for r in rows]
    x = range(len(rows))
    fig, ax = plt.subplots(figsize=(max(8, 0.45 * len(rows)), 5))
    w = 0.4
    ax.bar([i - w / 2 for i in x], [num(r["ratio"]) for r in rows], w,
           yerr=errs(rows, "ratio", "ratio_min", "ratio_max"), capsize=2,
           label="Mpps ratio (wall clock; bars: vseal min..max)")
    ax.bar([i + w / 2 for i in x], [num(r.get("ratio_cycles")) or 0 for r in rows], w,
           label="cycles ratio (testpmd / vseal cycles per frame on CPU)")
    for y, txt in ((0.75, "0.75: 64 B encap/decap target"), (1.0, "1")):
        ax.axhline(y, color="grey", lw=0.8, ls="--")
        ax.text(len(rows) - 0.5, y, txt, va="bottom", ha="right", fontsize=7, color="grey")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names, rotation=70, ha="right", fontsize=7)
    ax.set_ylabel("vseal / testpmd io")
    ax.set_title("vseal against testpmd io forwarding on the same ports and CPUs")
    top = max(num(r["ratio"]) or 0 for r in rows)
    ax.set_ylim(0, min(max(1.5, top * 1.1), 5))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "ratio.png"), dpi=DPI)
    plt.close(fig)


def size_key(r):
    return 65536 if r["size"] == "64K-TSO" else int(r["size"])


def plot_sizes(rows, out):
    paths = ["encap", "decap", "local"]
    base = [r for r in rows if r["path"] in paths and r["workers"] == "1" and
            r["flows"] == "1" and r["dsts"] == "1" and num(r.get("vseal_mpps")) is not None]
    if not base:
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for p, color in zip(paths, ("C0", "C1", "C2")):
        rs = sorted([r for r in base if r["path"] == p], key=size_key)
        if not rs:
            continue
        xs = [size_key(r) for r in rs]
        axes[0].errorbar(xs, [num(r["vseal_mpps"]) for r in rs],
                         yerr=errs(rs, "vseal_mpps", "vseal_mpps_min", "vseal_mpps_max"),
                         marker="o", color=color, capsize=2, label="vseal " + p)
        axes[0].plot(xs, [num(r["base_mpps"]) for r in rs], marker="x", ls=":", color=color,
                     label="testpmd io " + p)
        axes[1].errorbar(xs, [num(r["vseal_gbps"]) for r in rs],
                         yerr=errs(rs, "vseal_gbps", "vseal_gbps_min", "vseal_gbps_max"),
                         marker="o", color=color, capsize=2, label="vseal " + p)
        axes[1].plot(xs, [num(r["base_gbps"]) for r in rs], marker="x", ls=":", color=color,
                     label="testpmd io " + p)
    for ax, lab in zip(axes, ("Mpps (frames carried)", "Gbps (frames carried x size)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("frame size, bytes (65536 = 64 KB TCP with TSO)")
        ax.set_ylabel(lab)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Frame size sweep, 1 worker, 1 flow (medians, bars min..max)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "frame_size.png"), dpi=DPI)
    plt.close(fig)


def plot_cycles(rows, out):
    rows = [r for r in rows if num(r.get("vseal_cycles_per_pkt")) is not None]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(max(8, 0.45 * len(rows)), 5))
    x = list(range(len(rows)))
    w = 0.27
    ax.bar([i - w for i in x], [num(r["vseal_cycles_per_pkt"]) for r in rows], w,
           yerr=errs(rows, "vseal_cycles_per_pkt", "vseal_cpp_min", "vseal_cpp_max"),
           capsize=2, label="vseal, its TSC accounting (busy loops, wall clock)")
    ax.bar(x, [num(r.get("vseal_cpp_cpu")) or 0 for r in rows], w,
           label="vseal, on CPU (worker CPU time x busy share)")
    ax.bar([i + w for i in x], [num(r.get("base_cpp_cpu")) or 0 for r in rows], w,
           label="testpmd io, on CPU")
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels([r["case"] for r in rows], rotation=70, ha="right", fontsize=7)
    ax.set_ylabel("TSC cycles per frame received")
    ax.set_title("Cycles per frame (medians over the windows)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "cycles.png"), dpi=DPI)
    plt.close(fig)


def plot_micro(micro, cg, out):
    if not micro:
        return
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    fn = [r for r in micro if r["table"] == "0"]
    labels = ["%s %sB" % (r["bench"], r["size"]) for r in fn]
    x = range(len(fn))
    axes[0].bar(list(x), [num(r["median"]) for r in fn],
                yerr=[[num(r["median"]) - num(r["min"]) for r in fn],
                      [num(r["p99"]) - num(r["median"]) for r in fn]], capsize=2)
    axes[0].axhline(60, color="red", lw=0.8, ls="--")
    axes[0].text(len(fn) - 0.5, 60, "encap target 60", color="red", fontsize=7,
                 ha="right", va="bottom")
    axes[0].set_xticks(list(x))
    axes[0].set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    axes[0].set_ylabel("TSC cycles per packet (median; bars min..p99)")
    axes[0].set_title("vs-perf: per-packet functions")
    tb = [r for r in micro if r["table"] != "0"]
    for bench, color in (("lookup-bulk", "C0"), ("lookup-hot", "C1"), ("lookup-one", "C2")):
        rs = sorted([r for r in tb if r["bench"] == bench], key=lambda r: int(r["table"]))
        if rs:
            axes[1].plot([int(r["table"]) for r in rs], [num(r["median"]) for r in rs],
                         marker="o", color=color, label=bench)
    cgl = sorted([r for r in cg if r["bench"] == "lookup-bulk"], key=lambda r: int(r["table"]))
    if cgl:
        ax2 = axes[1].twinx()
        ax2.plot([int(r["table"]) for r in cgl], [num(r["per_packet"]) for r in cgl],
                 ls=":", marker="x", color="grey", label="lookup-bulk instructions (callgrind)")
        ax2.set_ylabel("instructions per packet (callgrind)", color="grey")
        ax2.set_ylim(0, max(num(r["per_packet"]) for r in cgl) * 1.5)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("location table entries")
    axes[1].set_ylabel("TSC cycles per packet (median)")
    axes[1].set_title("table lookup against table size")
    axes[1].grid(True, alpha=0.3)
    axes[1].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "micro.png"), dpi=DPI)
    plt.close(fig)


def main():
    global DPI
    args = sys.argv[1:]
    if len(args) == 3 and args[1] == "--dpi" and args[2].isdigit():
        DPI = int(args[2])
        args = args[:1]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = args[0]
    rows = read(os.path.join(out, "results.csv"))
    plot_ratio(rows, out)
    plot_sizes(rows, out)
    plot_cycles(rows, out)
    plot_micro(read(os.path.join(out, "micro.csv")), read(os.path.join(out, "callgrind.csv")),
               out)
    made = [f for f in sorted(os.listdir(out)) if f.endswith(".png")]
    print("plots: " + ", ".join(os.path.join(out, f) for f in made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
