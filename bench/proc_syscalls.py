#!/usr/bin/env python3
"""System calls, context switches and CPU of the bench's processes per fan-out step
(bench/notes/channels_of_1000_top_steps.md).

record OUTDIR
    Until killed: every 20 ms, looks for new processes of the bench (the load generator, `loadgen/main.ts`;
    the servers, `servers/parley.ts` and `servers/bare.ts`) and attaches `perf stat -I 250` to each (counts
    every 250 ms: task-clock, context switches, migrations and the entries of the system calls a socket's
    reads and writes go through), one CSV per process in OUTDIR, and the wall-clock ms of each attach in
    OUTDIR/meta. Only the perf processes it started are signalled when it stops.

    It also reads each tracked process' user and system ticks (/proc/PID/stat) every 250 ms into OUTDIR/ticks.

report OUTDIR BENCH_LOG
    Per fan-out step of BENCH_LOG (a `--verbose` log: the `"what":"step"` progress lines' start and end, one
    per try), for the load generator and the server of that try: each counter per second and per delivery
    (the step's deliveries/s), and deliveries per `epoll_wait` (how many frames the process reads per wakeup).
    The 250 ms intervals wholly inside the step's span are summed.

    flock /tmp/bench.lock sh -c 'python3 bench/proc_syscalls.py record /dev/shm/sc1 & S=$!;
      BENCH_COUNT_FRAMES=1 deno task bench --only=fanout --groups=1000 --servers=parley,bare \
      --fanout-steps=56800,84800 --step-seconds=8 --verbose > sc1.log 2>&1; kill $S'
    python3 bench/proc_syscalls.py report /dev/shm/sc1 sc1.log
"""
import json
import os
import signal
import subprocess
import sys
import time

EVENTS = [
    "task-clock",
    "context-switches",
    "cpu-migrations",
    "syscalls:sys_enter_epoll_wait",
    "syscalls:sys_enter_recvfrom",
    "syscalls:sys_enter_read",
    "syscalls:sys_enter_sendto",
    "syscalls:sys_enter_write",
    "syscalls:sys_enter_writev",
    "syscalls:sys_enter_futex",
    # packets sent on loopback from this process's context: its data and the ACKs its reads (or, for a
    # sender, the receive path run inside its sendto) send
    "net:net_dev_xmit",
]
ROLES = {"loadgen/main.ts": "loadgen", "servers/parley.ts": "parley", "servers/bare.ts": "bare"}


def role_of(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if not cmd.startswith("/") and not cmd.startswith("deno"):
        return None  # taskset before its exec, shells
    for k, r in ROLES.items():
        if k in cmd and " run " in cmd:
            return r
    return None


def record(outdir):
    os.makedirs(outdir, exist_ok=True)
    meta = open(f"{outdir}/meta", "a", buffering=1)
    seen = set()
    children = []
    # user and system ticks of each tracked process every 250 ms (/proc/PID/stat), for the kernel's share
    ticks = open(f"{outdir}/ticks", "a", buffering=1 << 16)
    tracked = []
    last_tick = 0.0

    def stop(*_):
        for p in children:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in children:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        sys.exit(0)

    def stop_all(*a):
        ticks.close()
        stop(*a)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    while True:
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or pid in seen:
                continue
            r = role_of(pid)
            if r is None:
                continue
            seen.add(pid)
            at = time.time() * 1000
            p = subprocess.Popen(
                ["perf", "stat", "-I", "250", "-x", ",", "-e", ",".join(EVENTS), "-p", pid, "-o",
                 f"{outdir}/{r}-{pid}.csv"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            children.append(p)
            tracked.append(pid)
            meta.write(f"{pid} {r} {at:.1f}\n")
        now = time.time() * 1000
        if now - last_tick >= 250:
            last_tick = now
            for pid in tracked:
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        st = f.read().rsplit(")", 1)[1].split()
                    ticks.write(f"{pid} {now:.1f} {st[11]} {st[12]}\n")
                except OSError:
                    pass
        time.sleep(0.02)


def load(outdir):
    procs = []
    for line in open(f"{outdir}/meta"):
        pid, r, at = line.split()
        rows = {}
        try:
            for l in open(f"{outdir}/{r}-{pid}.csv"):
                if not l.strip() or l.startswith("#"):
                    continue
                f = l.strip().split(",")
                t, val, ev = float(f[0]), f[1], f[3]
                if val.startswith("<"):
                    continue
                rows.setdefault(t, {})[ev] = float(val)
        except OSError:
            continue
        procs.append({"pid": pid, "role": r, "at": float(at), "rows": rows})
    return procs


def steps(log):
    out, kind = [], None
    for line in open(log):
        if "fanout: " in line:
            kind = line.split("fanout: ", 1)[1].split(",")[0].strip()
        i = line.find('{"event":"progress"')
        if i < 0:
            continue
        try:
            o = json.loads(line[i:])
        except ValueError:
            continue
        if o.get("what") == "step":
            o["kind"] = kind
            out.append(o)
    return out


def window(p, a, b):
    """Sums of each counter over the intervals inside [a, b] (wall ms); their span in s."""
    sums, span = {}, 0.0
    prev = 0.0
    for t in sorted(p["rows"]):
        s0, s1 = p["at"] + prev * 1000, p["at"] + t * 1000
        if s0 >= a and s1 <= b:
            span += t - prev
            for ev, v in p["rows"][t].items():
                sums[ev] = sums.get(ev, 0) + v
        prev = t
    return sums, span


def load_ticks(outdir):
    out = {}
    try:
        for line in open(f"{outdir}/ticks"):
            pid, t, u, s = line.split()
            out.setdefault(pid, []).append((float(t), int(u), int(s)))
    except OSError:
        pass
    return out


def tick_window(rows, a, b):
    """User and system seconds of a process between the samples nearest inside [a, b] (wall ms), and the span."""
    inside = [r for r in rows if a <= r[0] <= b]
    if len(inside) < 2:
        return None
    (t0, u0, s0), (t1, u1, s1) = inside[0], inside[-1]
    hz = os.sysconf("SC_CLK_TCK")
    return (u1 - u0) / hz, (s1 - s0) / hz, (t1 - t0) / 1000


def report(outdir, log):
    procs = load(outdir)
    ticks = load_ticks(outdir)
    short = {"task-clock": "cpu ms", "context-switches": "cs", "cpu-migrations": "migr"}
    for st in steps(log):
        a, b = st["start"], st["end"]
        rate = st["deliveries_per_s"]
        print(f"\n{st['kind']} {st['target']} -> {rate}/s p99 {st['p99']} ms {'held' if st['ok'] else 'MISSED'}"
              f" cpu {st['cpu']}")
        if st.get("spread"):
            sp = st["spread"]
            print(f"  one message's deliveries arrive over p10/p50/p90 {sp['p10']}/{sp['p50']}/{sp['p90']} ms")
        if st.get("frames"):
            secs = (b - a) / 1000
            print("  frames/s by type: " + ", ".join(
                f"{k} {v['frames'] / secs:.0f} ({v['bytes'] / max(1, v['frames']):.0f} B)"
                for k, v in sorted(st["frames"].items(), key=lambda kv: -kv[1]["frames"])))
        for p in procs:
            if p["role"] not in ("loadgen", st["kind"]):
                continue
            sums, span = window(p, a, b)
            if span < 1:
                continue
            cells = []
            for ev in EVENTS:
                v = sums.get(ev, 0)
                name = short.get(ev, ev.replace("syscalls:sys_enter_", ""))
                if ev == "task-clock":
                    cells.append(f"cores {v / span / 1000:.2f} ({v * 1000 / span / max(1, rate):.2f} us/deliv)")
                elif v:
                    cells.append(f"{name} {v / span:.0f}/s ({v / span / max(1, rate):.3f}/deliv)")
            tw = tick_window(ticks.get(p["pid"], []), a, b)
            if tw and tw[2] > 0:
                u, k, secs = tw
                cells.append(f"user/system us per deliv {u / secs / max(1, rate) * 1e6:.2f}/{k / secs / max(1, rate) * 1e6:.2f}")
            ew = sums.get("syscalls:sys_enter_epoll_wait", 0)
            if ew:
                cells.append(f"deliv/epoll_wait {rate * span / ew:.2f}")
            print(f"  {p['role']:7} {p['pid']} ({span:.2f} s): " + "; ".join(cells))


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(sys.argv[2])
    else:
        report(sys.argv[2], sys.argv[3])
