#!/usr/bin/env python3
"""Where a server's CPU goes, by kind of code, from a `perf record -C 0 -g` of a bench run
(bench/notes/server_cpu_per_message.md). The server runs on CPU 0 (`taskset -c 0`), so recording that CPU
for the whole run catches every thread of it, from its start, whatever its pid; Postgres' backends that land
on CPU 0 are in the file too and are left out by pid.

timeline PERF_DATA PID
    Samples of PID per second since its first sample: find the steady step (a plateau of ~10 s).

split PERF_DATA PID FROM,TO MESSAGES
    Samples of PID between FROM and TO seconds after its first sample (or, with FROM over 1e9, between
    those wall-clock seconds since the epoch, for a file recorded with `perf record -k realtime`), as µs of CPU per message (at the
    sampling rate, -F, default 997 Hz): by thread (main or its name), by where the sample's leaf is (kernel,
    JIT code: V8's compiled JavaScript, native: the deno binary or libc, i.e. Deno's Rust, V8's C++ and its
    built-in functions such as JSON.parse, Map.get, the promise machinery) and whether any JavaScript frame is
    on the stack (native or kernel work called from JavaScript, or done by the event loop with none). The
    kernel part is split by system call.

js PERF_DATA PID FROM,TO MESSAGES [TOP]
    The samples of PID's main thread with JavaScript on the stack, by their nearest JavaScript frame (named
    when the server ran with `--perf-basic-prof`: BENCH_PARLEY_V8_FLAGS=--perf-basic-prof), each split into
    JIT / native / kernel: a self time that counts the built-ins a function calls as its own.

Usage as in the notes:
    flock /tmp/bench.lock sh -c 'BENCH_PARLEY_V8_FLAGS=--perf-basic-prof perf record -C 0 -g -F 997 \\
      -o /tmp/run.perf.data -- deno task bench --only=latency --servers=parley,bare --curve=1000 > run.log 2>&1'
    perf script -i /tmp/run.perf.data -F comm,pid | sort | uniq -c | sort -rn | head   # the servers' pids
    python3 bench/perf_split.py timeline /tmp/run.perf.data PID
    python3 bench/perf_split.py split /tmp/run.perf.data PID 11,21 10000
"""
import collections
import os
import re
import subprocess
import sys

# The sampling rate the file was recorded at (`perf record -F`); PERF_HZ overrides the default 997.
HZ = float(os.environ.get("PERF_HZ", "997"))


def samples(path, pid):
    """(thread name, is main thread, seconds since PID's first sample, frames [(symbol, dso)]), leaf first."""
    txt = subprocess.run(
        ["perf", "script", "-i", path, "-F", "comm,pid,tid,time,ip,sym,dso"],
        capture_output=True, text=True, check=True,
    ).stdout
    out = []
    for block in txt.strip().split("\n\n"):
        lines = block.strip().split("\n")
        m = re.match(r"\s*(.*?)\s+(\d+)/(\d+)\s+([\d.]+):", lines[0])
        if not m or int(m.group(2)) != pid:
            continue
        frames = []
        for line in lines[1:]:
            f = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line)
            if f:
                frames.append((f.group(1), f.group(2)))
        out.append((m.group(1), int(m.group(3)) == pid, float(m.group(4)), frames))
    t0 = min(s[2] for s in out)
    return [(c, main, t - t0, fr, t) for c, main, t, fr in out]


def where(frames):
    leaf = frames[0][1] if frames else "?"
    if "kernel" in leaf:
        return "kernel"
    if "perf-" in leaf:
        return "JIT"
    return "native"


def js_on_stack(frames):
    return any("perf-" in d for _, d in frames)


def per_msg(n, seconds, msgs):
    return n / HZ / msgs * 1e6 if msgs else n / seconds / HZ


def main():
    cmd, path, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    all_samples = samples(path, pid)
    if cmd == "timeline":
        c = collections.Counter(int(s[2]) for s in all_samples)
        print(" ".join(f"{k}:{c[k]}" for k in sorted(c)))
        return
    a, b = map(float, sys.argv[4].split(","))
    msgs = float(sys.argv[5])
    # FROM,TO over 1e9: wall-clock seconds since the epoch (a `perf record -k realtime` file), e.g. a fan-out
    # step's `start`/`end` (ms) / 1000 (bench/notes/channels_of_1000_top_steps.md).
    at = 4 if a > 1e9 else 2
    sel = [s for s in all_samples if a <= s[at] < b]
    print(f"{len(sel)} samples of {pid} in {b - a:.0f} s: {per_msg(len(sel), b - a, msgs):.1f} µs per message")
    if cmd == "split":
        kinds = collections.Counter()
        calls = collections.Counter()
        for comm, is_main, _, fr, _ in sel:
            w = where(fr)
            k = ("main thread " if is_main else f"thread {comm[:15]} ") + w
            if w != "JIT":
                k += " (JavaScript on the stack)" if js_on_stack(fr) else " (no JavaScript on the stack)"
            kinds[k] += 1
            if w == "kernel":
                name = next((s for s, _ in fr if s.startswith("__x64_sys_")), None)
                calls[name or "(no system call: interrupts, faults)"] += 1
        for k, v in kinds.most_common():
            print(f"  {per_msg(v, b - a, msgs):7.1f}  {k}")
        print(" kernel, by system call:")
        for k, v in calls.most_common(8):
            print(f"  {per_msg(v, b - a, msgs):7.1f}  {k}")
    elif cmd == "js":
        top = int(sys.argv[6]) if len(sys.argv) > 6 else 40
        total = collections.Counter()
        split = collections.Counter()
        for _, is_main, _, fr, _ in sel:
            names = [s for s, d in fr if "perf-" in d and s.startswith("JS:")]
            if not is_main or not names:
                continue
            name = re.sub(r"^JS:[*~+^]?'?", "", names[0])
            name = re.sub(r"file://\S*?/(?=(domain|db|realtime|bench|node_modules)/)", "", name)
            name = re.sub(r"node_modules/\.deno/[^/]+/node_modules/", "", name)
            total[name] += 1
            split[(name, where(fr))] += 1
        print(f"  main thread with JavaScript on the stack: {per_msg(sum(total.values()), b - a, msgs):.1f}")
        for k, v in total.most_common(top):
            parts = " ".join(
                f"{w} {per_msg(split[(k, w)], b - a, msgs):.1f}" for w in ("JIT", "native", "kernel") if split[(k, w)]
            )
            print(f"  {per_msg(v, b - a, msgs):7.2f}  {k[:100]}  [{parts}]")


if __name__ == "__main__":
    main()
