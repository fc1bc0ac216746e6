#!/usr/bin/env python3
"""Who waits for a CPU while the steady workload's commits run (bench/notes/commit_and_the_run_queue.md).

record OUT
    Every 100 ms (until killed): the machine's busy CPU time and steal (/proc/stat, jiffies), and for every
    thread on the machine (listed again every second) its /proc/PID/task/TID/schedstat (ns on a CPU, ns runnable but waiting for a CPU,
    time slices; this kernel has no /proc/schedstat). A thread seen for the first time gets an `N` line (tid, pid, ppid,
    thread name, process title), so the report can tell the bench's cluster from other clusters on the
    machine and the server's main thread from its helpers. Reads /proc only and writes OUT (put it on tmpfs,
    /dev/shm, so the sampler adds no disk writes); it costs ~1-2 % of a core itself (read its own line).

report OUT BENCH_LOG COMMIT_LOG
    Per step of the bench (the `"what":"rate"` progress lines' start and end in BENCH_LOG, a `--verbose` log),
    per 100 ms bucket: run and run-queue wait in ms per group (the bench cluster's backends, its WAL writer,
    its other processes; the server's main thread and its other threads; the load generator; the bench
    runner; the sampler; every other thread on the machine, "rest"), and whether a commit over 5 ms
    (BENCH_COMMIT_LOG=FILE's `C end ms` lines, by the bucket its end falls in) ended in it. Prints the
    groups' mean wait in the buckets with and without a slow commit.

perf PERF_TEXT COMMIT_LOG OFFSET_MS SAMPLES
    `perf sched timehist --state` text (perf clock CLOCK_MONOTONIC, `perf sched record -k monotonic`) and the commit
    log: for each commit over 5 ms, the time each bench backend, the WAL writer and the server's main thread
    spent running and runnable-waiting inside the commit's window [end - ms, end]. OFFSET_MS = wall ms -
    monotonic ms, taken when perf started; SAMPLES, the same run's `record` file, names the threads. The backend that ran the batch is taken to be the one with the
    most running + waiting time in the window (a heuristic: up to 4 batches are in flight).

Usage as in the notes:
    python3 bench/sched_sample.py record /dev/shm/c17-NAME.sched & S=$!
    BENCH_STAGES=1 BENCH_COMMIT_LOG=/dev/shm/c17-NAME.commits deno task bench --only=latency ... ; kill $S
    python3 bench/sched_sample.py report /dev/shm/c17-NAME.sched NAME.log /dev/shm/c17-NAME.commits
"""
import json
import os
import re
import signal
import sys
import time


def record(path):
    out = open(path, "w", buffering=1 << 16)
    # kill (SIGTERM) or Ctrl-C: flush what is buffered and stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        _record(out)
    finally:
        out.close()


def _read(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096).decode(errors="replace")
    finally:
        os.close(fd)


def _record(out):
    seen = set()
    paths = []  # (tid, schedstat path), rescanned every second; new threads in between wait for the rescan
    n = 0
    while True:
        t = time.time() * 1000
        if n % 10 == 0:
            paths = []
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    for tid in os.listdir(f"/proc/{pid}/task"):
                        paths.append((tid, f"/proc/{pid}/task/{tid}/schedstat"))
                        if tid not in seen:
                            seen.add(tid)
                            tcomm = _read(f"/proc/{pid}/task/{tid}/comm").strip().replace(" ", "_")
                            title = _read(f"/proc/{pid}/cmdline").replace("\0", " ").strip()[:400]
                            ppid = _read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()[1]
                            out.write(f"N {tid} {pid} {ppid} {tcomm} {title}\n")
                except (OSError, IndexError):
                    pass
        n += 1
        c = _read("/proc/stat").split("\n", 1)[0].split()  # cpu user nice system idle iowait irq softirq steal
        busy = sum(int(x) for x in c[1:4] + c[6:9])
        parts = [f"T {t:.1f}", f"{busy},{c[8]}"]
        for tid, path in paths:
            try:
                s = _read(path).split()
                parts.append(f"{tid}:{s[0]}:{s[1]}:{s[2]}")
            except (OSError, IndexError):
                pass
        out.write("\t".join(parts) + "\n")
        time.sleep(max(0.0, 0.1 - (time.time() * 1000 - t) / 1000))


def steps(log):
    """Each rate step's (rate, start ms, end ms) from the load generator's progress lines: the steady
    workload's rates, or the fan-out's steps (rate: the target deliveries/s)."""
    out = []
    for line in open(log, errors="replace"):
        i = line.find('{"event":"progress","what":"rate"')
        if i < 0:
            i = line.find('{"event":"progress","what":"step"')
        if i < 0:
            continue
        try:
            o = json.loads(line[i:].strip())
        except ValueError:
            continue
        if "start" not in o:
            continue
        out.append((o.get("rate", o.get("target")), o["start"], o["end"], o))
    return out


def commits(path):
    out = []
    for line in open(path):
        p = line.split()
        if len(p) >= 3 and p[0] == "C":
            out.append((float(p[1]), float(p[2])))
    return out


def classify(tasks):
    """tid -> group, from the N lines: the bench cluster is the one whose backends serve bench_latency (or
    bench_fanout); the server is Parley's or bare's."""
    procs = {}
    for tid, (pid, ppid, tcomm, title) in tasks.items():
        procs[pid] = (ppid, title)
    bench_db = ("bench_latency", "bench_fanout")
    bench_pm = {ppid for pid, (ppid, title) in procs.items() if any(d in title for d in bench_db)}
    groups = {}
    for tid, (pid, ppid, tcomm, title) in tasks.items():
        if pid in bench_pm or ppid in bench_pm:
            if pid in bench_pm:
                g = "pg other"
            elif "walwriter" in title:
                g = "pg walwriter"
            elif any(d in title for d in bench_db):
                g = "pg backends"
            else:
                g = "pg other"
        elif "servers/parley.ts" in title or "servers/bare.ts" in title:
            g = "server main" if tid == pid else "server threads"
        elif "loadgen" in title:
            g = "loadgen"
        elif "bench/run.ts" in title:
            g = "bench runner"
        elif "sched_sample.py record" in title:
            g = "sampler"
        else:
            g = None  # someone else's postgres or deno: counted in "rest"
        groups[tid] = g
    return groups


GROUPS = ["pg backends", "pg walwriter", "pg other", "server main", "server threads", "loadgen", "bench runner",
          "sampler", "rest"]


def samples(path):
    tasks = {}
    rows = []
    for line in open(path):
        if line.startswith("N "):
            p = line.rstrip("\n").split(" ", 5)
            tasks[p[1]] = (p[2], p[3], p[4], p[5] if len(p) > 5 else "")
        elif line.startswith("T "):
            parts = line.rstrip("\n").split("\t")
            t = float(parts[0][2:])
            cpus = tuple(map(int, parts[1].split(",")))  # busy, steal jiffies
            per = {}
            for x in parts[2:]:
                tid, run, wait, sl = x.split(":")
                per[tid] = (int(run), int(wait), int(sl))
            rows.append((t, cpus, per))
    return tasks, rows


def report(path, log, commit_path):
    tasks, rows = samples(path)
    groups = classify(tasks)
    cs = commits(commit_path)
    buckets = []  # (t0, t1, {group: (run ms, wait ms)}, busy cores)
    for (t0, c0, p0), (t1, c1, p1) in zip(rows, rows[1:]):
        g = {k: [0.0, 0.0] for k in GROUPS}
        for tid, (run, wait, _) in p1.items():
            if tid not in p0:
                continue
            grp = groups.get(tid) or "rest"
            g[grp][0] += (run - p0[tid][0]) / 1e6
            g[grp][1] += (wait - p0[tid][1]) / 1e6
        cpu_run = (c1[0] - c0[0]) * 10.0  # jiffies of 10 ms: coarse, a 100 ms bucket is +-10 ms
        buckets.append((t0, t1, g, cpu_run / (t1 - t0)))
    for rate, start, end, o in steps(log):
        inside = [b for b in buckets if b[0] >= start and b[1] <= end]
        if not inside:
            continue
        step_commits = [c for c in cs if start <= c[0] <= end]
        slow = []
        fast = []
        for b in inside:
            mx = max([ms for (e, ms) in step_commits if b[0] <= e < b[1]], default=0)
            (slow if mx > 5 else fast).append((b, mx))
        n_slow_commits = sum(1 for c in step_commits if c[1] > 5)
        srt = sorted(ms for _, ms in step_commits)
        p = lambda q: srt[min(len(srt) - 1, int(q * len(srt)))] if srt else 0
        secs = len(inside) / 10
        tot = lambda k, i: sum(b[2][k][i] for b in inside) / secs
        cost = o.get("cost", {})
        print(f"SUMMARY {rate} p50/p99 {o['p50']}/{o['p99']} commit p50/p99/max {p(0.5):.1f}/{p(0.99):.1f}/{p(1):.1f} "
              f"wait ms/s pg {tot('pg backends', 1):.0f} server {tot('server main', 1):.0f} "
              f"loadgen {tot('loadgen', 1):.0f} rest {tot('rest', 1):.0f}; rest cores {tot('rest', 0) / 1000:.2f} "
              f"machine {o['cpu'].get('machine')}; us/msg server/pg {cost.get('server_us_per_msg')}/"
              f"{cost.get('postgres_us_per_msg')}")
        print(f"\n== rate {rate}: p50 {o['p50']} p99 {o['p99']} ms; cpu {json.dumps(o['cpu'])}")
        print(f"   commits {len(step_commits)}, p50 {p(0.5):.2f} p99 {p(0.99):.2f} max {p(1):.2f} ms, "
              f"{n_slow_commits} over 5 ms; buckets {len(inside)}: {len(slow)} with a commit over 5 ms")
        print("   per 100 ms, mean run / wait ms (cores busy):  " + "  ".join(GROUPS))
        for name, sel in (("all", [(b, 0) for b in inside]), ("slow", slow), ("no slow", fast)):
            if not sel:
                continue
            cells = []
            for k in GROUPS:
                r = sum(b[2][k][0] for b, _ in sel) / len(sel)
                w = sum(b[2][k][1] for b, _ in sel) / len(sel)
                cells.append(f"{r:.1f}/{w:.1f}")
            busy = sum(b[3] for b, _ in sel) / len(sel)
            print(f"   {name:8s} ({len(sel):3d}) cores {busy:.2f}: " + "  ".join(cells))
        # The worst buckets by their slowest commit.
        print("   worst buckets (slowest commit ms: pg backends wait, walwriter wait, server main wait, rest run):")
        for b, mx in sorted(slow, key=lambda x: -x[1])[:8]:
            g = b[2]
            print(f"     {mx:6.1f} ms at +{(b[0] - start) / 1000:5.1f} s: pg {g['pg backends'][1]:.1f}, "
                  f"walwriter {g['pg walwriter'][1]:.1f}, server main {g['server main'][1]:.1f}, "
                  f"loadgen {g['loadgen'][1]:.1f}, rest run {g['rest'][0]:.1f} ms; cores {b[3]:.2f}")


def perf_report(text, commit_path, offset_ms, groups):
    """Each task's time as intervals, from `perf sched timehist --state` rows (one per switch-out: run time,
    the time off the CPU before it ("wait time") of which the last part was after its wake-up ("sch delay"),
    the state it left in). Off the CPU after leaving runnable (R, preempted): waiting for a CPU throughout;
    after D: in uninterruptible sleep (here fdatasync) until woken; after S: sleeping (a socket read)."""
    row = re.compile(
        r"^\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\[(\d+)(?:/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)")
    iv = {}  # tid -> list of (kind, start wall ms, end wall ms); kind run | wait | io | sleep
    names = {}
    last_state = {}
    on_cpu = {}  # cpu -> (start, end, tid) of each run
    for line in open(text, errors="replace"):
        m = row.match(line)
        if not m:
            continue
        t = float(m.group(1)) * 1000 + offset_ms
        name, tid = m.group(3).strip(), m.group(4)
        off, delay, run, state = float(m.group(6)), float(m.group(7)), float(m.group(8)), m.group(9)
        names[tid] = name
        lst = iv.setdefault(tid, [])
        lst.append(("run", t - run, t))
        on_cpu.setdefault(int(m.group(2)), []).append((t - run, t, tid))
        if delay > 0:
            lst.append(("wait", t - run - delay, t - run))
        prev = last_state.get(tid)
        if off - delay > 0 and prev is not None:
            kind = "wait" if prev.startswith("R") else "io" if prev.startswith("D") else "sleep"
            lst.append((kind, t - run - off, t - run - delay))
        last_state[tid] = state
    cs = commits(commit_path)
    first = min((x[1] for l in iv.values() for x in l), default=0)
    last = max((x[2] for l in iv.values() for x in l), default=0)
    cs = [c for c in cs if c[0] - c[1] >= first + 50 and c[0] <= last]
    pg = [tid for tid in names if groups.get(tid) == "pg backends"]

    def overlap(tid, a, b):
        d = {"run": 0.0, "wait": 0.0, "io": 0.0, "sleep": 0.0}
        for kind, s, e in iv.get(tid, []):
            o = min(b, e) - max(a, s)
            if o > 0:
                d[kind] += o
        return d

    out = []
    for end, ms in cs:
        a = end - ms
        per = sorted(((overlap(tid, a, end), tid) for tid in pg),
                     key=lambda x: -(x[0]["run"] + x[0]["wait"] + x[0]["io"]))
        best, btid = per[0] if per else ({"run": 0, "wait": 0, "io": 0, "sleep": 0}, None)
        allwait = sum(d["wait"] for d, _ in per)
        out.append((ms, best, allwait, btid))
    return cs, out, names, iv, overlap, on_cpu


def perf_main(text, commit_path, offset_ms, sched):
    groups = classify(samples(sched)[0])
    cs, out, names, iv, overlap, on_cpu = perf_report(text, commit_path, float(offset_ms), groups)
    server_main = [tid for tid in names if groups.get(tid) == "server main"]
    walwriter = [tid for tid in names if groups.get(tid) == "pg walwriter"]
    print(f"commits in the trace: {len(cs)}; server main thread {server_main}, walwriter {walwriter}, "
          f"bench backends {sum(1 for t in names if groups.get(t) == 'pg backends')}")
    med = lambda xs: sorted(xs)[len(xs) // 2] if xs else 0
    K = ("run", "wait", "io", "sleep")
    for label, lo, hi in (("<= 5 ms", 0, 5), ("5-10 ms", 5, 10), ("> 10 ms", 10, 1e9), ("> 5 ms", 5, 1e9)):
        sel = [(x, c) for x, c in zip(out, cs) if lo < x[0] <= hi or (lo == 0 and x[0] <= hi)]
        if not sel:
            continue
        tot = sum(x[0] for x, _ in sel)
        b = {k: sum(x[1][k] for x, _ in sel) for k in K}
        sm = {k: 0.0 for k in K}
        for (ms, *_), (e, _) in sel:
            for t in server_main:
                d = overlap(t, e - ms, e)
                for k in K:
                    sm[k] += d[k]
        print(f"commits {label}: n={len(sel)}, median {med([x[0] for x, _ in sel]):.2f} ms, total {tot:.0f} ms")
        print("   the batch's backend (the bench backend busiest in the window): " +
              ", ".join(f"{k} {100 * b[k] / tot:.0f} % (median {med([x[1][k] for x, _ in sel]):.2f} ms)" for k in K))
        print("   the server's main thread in the same windows: " + ", ".join(f"{k} {100 * sm[k] / tot:.0f} %" for k in K))
        print(f"   all bench backends' runnable-wait in the window, median {med([x[2] for x, _ in sel]):.2f} ms")
        # The commit waited for a CPU while its backend or the server's main thread did (the union of the two).
        either = 0.0
        for (ms, best, allwait, btid), (e, _) in sel:
            a = e - ms
            spans = sorted((max(a, s0), min(e, e0)) for t in [btid, *server_main] if t
                           for kind, s0, e0 in iv.get(t, []) if kind == "wait" and e0 > a and s0 < e)
            cur_s = cur_e = None
            for s0, e0 in spans:
                if cur_e is None or s0 > cur_e:
                    if cur_e is not None:
                        either += cur_e - cur_s
                    cur_s, cur_e = s0, e0
                else:
                    cur_e = max(cur_e, e0)
            if cur_e is not None:
                either += cur_e - cur_s
        print(f"   the backend or the server's main thread waiting for a CPU: {100 * either / tot:.0f} % of the commits' time")
    # Who held each CPU during the commits' windows (windows of overlapping commits counted once each).
    for label, lo, hi in (("<= 5 ms", 0, 5), ("> 5 ms", 5, 1e9)):
        wins = [(e - ms, e) for e, ms in cs if (ms <= hi and ms > lo) or (lo == 0 and ms <= hi)]
        tot = sum(b - a for a, b in wins)
        for cpu in sorted(on_cpu):
            runs = sorted(on_cpu[cpu])
            occ = {}
            for a, b in wins:
                for s0, e0, tid in runs:
                    if e0 <= a:
                        continue
                    if s0 >= b:
                        break
                    g = groups.get(tid) or ("other: " + names.get(tid, "?"))
                    if g.startswith("other: ") and os.environ.get("REST_BY_NAME") is None:
                        g = "rest"
                    occ[g] = occ.get(g, 0.0) + min(b, e0) - max(a, s0)
            idle = tot - sum(occ.values())
            print(f"CPU {cpu} during commits {label}: " + ", ".join(
                f"{k} {100 * v / tot:.0f} %" for k, v in sorted(occ.items(), key=lambda x: -x[1])) +
                f", idle {100 * idle / tot:.0f} %")
    print("slowest 15: commit ms | its backend run / wait / io / sleep | server main run / wait | walwriter run / wait")
    for (ms, best, allwait, btid), (end, _) in sorted(zip(out, cs), key=lambda x: -x[0][0])[:15]:
        f = lambda t: overlap(t, end - ms, end)
        d = " ".join(f"{f(t)['run']:.1f}/{f(t)['wait']:.1f}" for t in server_main)
        ww = " ".join(f"{f(t)['run']:.1f}/{f(t)['wait']:.1f}" for t in walwriter)
        print(f"  {ms:6.2f} | " + " / ".join(f"{best[k]:.1f}" for k in K) + f" | {d} | {ww}")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "record":
        record(sys.argv[2])
    elif cmd == "report":
        report(*sys.argv[2:5])
    elif cmd == "perf":
        perf_main(*sys.argv[2:])
    else:
        print(__doc__)
        sys.exit(2)
