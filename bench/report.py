#!/usr/bin/env python3
"""The table of bench/run, from its results folder (results.jsonl, meta.tsv); standard library only.

  report.py table DIR          prints the table and writes DIR/table.md
  report.py iperf FILE         bytes and MB/s received, from iperf3 --json output
  report.py iperf-error FILE   iperf3's own error message from its --json output, if any
"""

import json
import statistics
import sys
from pathlib import Path

CLIENTS = ("ssh", "caret-sshd", "caret-jsch")
CIPHERS = ("aes128-gcm", "chacha20")


class Row:
    """One line of the table: a metric, how to read it, and its targets for caret-sshd and caret-jsch.

    A target is (kind, op, value): kind "ratio" compares median(caret)/median(ssh), "abs" the median itself.
    """

    def __init__(self, metric, label, unit, target=None, jsch_target=None):
        self.metric, self.label, self.unit = metric, label, unit
        self.target, self.jsch_target = target, jsch_target


def one_stream(cipher):
    return ("ratio", ">=", 0.95 if cipher == "aes128-gcm" else 0.6)


def rows_for(cipher):
    at_least_1_2 = ("ratio", ">=", 1.2)
    cpu = ("ratio", "<=", 1.3)
    jsch = ("ratio", ">=", 0.8)
    return [
        Row("local_up_1", "local fwd, 1 stream, upload", "MB/s", one_stream(cipher), jsch),
        Row("local_down_1", "local fwd, 1 stream, download", "MB/s", one_stream(cipher), jsch),
        Row("local_up_8", "local fwd, 8 streams", "MB/s"),
        Row("local_up_64", "local fwd, 64 streams", "MB/s", at_least_1_2),
        Row("socks_up_1", "SOCKS fwd, 1 stream", "MB/s", one_stream(cipher), jsch),
        Row("socks_up_8", "SOCKS fwd, 8 streams", "MB/s"),
        Row("socks_up_64", "SOCKS fwd, 64 streams", "MB/s", at_least_1_2),
        Row("cpu_local_up_1", "client CPU per GiB, 1 stream up", "s/GiB", cpu),
        Row("cpu_local_down_1", "client CPU per GiB, 1 stream down", "s/GiB", cpu),
        Row("cpu_local_up_64", "client CPU per GiB, 64 streams up", "s/GiB", cpu),
        Row("hwm_local_up_1", "peak RSS during 1 stream", "MiB", ("abs", "<=", 128)),
        Row("hwm_local_up_64", "peak RSS during 64 streams", "MiB"),
        Row("openssl_" + cipher, "openssl speed -evp, 1 core, 16 KiB", "MB/s"),
    ]


COMMON_ROWS = [
    Row("startup_ms", "start-up to first forwarded echo", "ms", ("abs", "<=", 300)),
    Row("rss_start", "RSS, forwards up, idle after start", "MiB", ("abs", "<=", 64)),
    Row("startup_faults", "page faults, start-up to 1 s after the echo", "count"),
    Row("startup_cpu", "client CPU, start-up to 1 s after the echo", "ms"),
    Row("rss_after", "RSS, idle again after the load", "MiB", ("abs", "<=", 64)),
    Row("lat_p50", "new connection + 1 B echo, p50", "ms", ("ratio", "<=", 1.2)),
    Row("lat_p99", "new connection + 1 B echo, p99", "ms", ("ratio", "<=", 2.0)),
    Row("rr", "request/response, 16 clients, 100 B", "1/s", ("ratio", ">=", 1.5)),
    Row("idle_held", "idle connections held (of the count asked)", "conns"),
    Row("idle_rss", "RSS holding the idle connections", "MiB", ("abs", "<=", 256)),
    Row("idle_heap", "live heap holding the idle connections", "MiB"),
    Row("idle_open_rate", "opening the idle connections", "1/s"),
    Row("page_fault_us", "this machine: a page's first touch", "us"),
    Row("syscall_us", "this machine: a system call", "us"),
    Row("wake_idle_p50_us", "this machine: a wake-up from the other core, idle core, p50", "us"),
    Row("wake_busy_p50_us", "this machine: a wake-up from the other core, busy core, p50", "us"),
    Row("wake_busy_p99_us", "this machine: a wake-up from the other core, busy core, p99", "us"),
]


def load(folder):
    records, samples = [], []
    with open(folder / "results.jsonl") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                (samples if r["metric"] == "slow_sample" else records).append(r)
    meta = {}
    meta_file = folder / "meta.tsv"
    if meta_file.exists():
        for line in meta_file.read_text().splitlines():
            key, _, value = line.partition("\t")
            meta[key] = value
    return records, samples, meta


def matching(records, metric, cipher, client):
    return [r for r in records if r["metric"] == metric and r["client"] == client and r["cipher"] in (cipher, "-")]


def values(records, metric, cipher, client):
    return [r["value"] for r in matching(records, metric, cipher, client) if "value" in r]


def failures(records, metric, cipher, client):
    return sum(1 for r in matching(records, metric, cipher, client) if r.get("failed"))


def num(v):
    if v is None:
        return "–"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def cell(vs, failed=0):
    if not vs:
        return f"failed ×{failed}" if failed else "–"
    med = statistics.median(vs)
    text = num(med) if len(vs) == 1 else f"{num(med)} ({num(min(vs))}–{num(max(vs))})"
    return text + (f" failed ×{failed}" if failed else "")


def check(target, med, ssh_med, failed):
    """The target's text and PASS/MISS, or ("", "") when there is none; a measurement that failed misses."""
    if target is None:
        return "", ""
    kind, op, goal = target
    text = f"{'≥' if op == '>=' else '≤'}{goal:g}{'x' if kind == 'ratio' else ''}"
    if failed:
        return text, "MISS"
    if med is None or (kind == "ratio" and not ssh_med):
        return text, "n/a"
    value = med / ssh_med if kind == "ratio" else med
    ok = value >= goal if op == ">=" else value <= goal
    return text, "PASS" if ok else "MISS"


def table_rows(records, cipher_list, first_cipher):
    header = ["metric", "unit", "direct", "ssh", "caret-sshd", "ratio", "target", "met", "caret-jsch", "ratio", "target", "met"]
    out = [header]
    sections = []
    for cipher in cipher_list:
        rows = rows_for(cipher)
        if any(values(records, r.metric, cipher, c) for r in rows for c in CLIENTS + ("direct",)):
            sections.append((f"{cipher}", cipher, rows))
    sections.append((f"cipher-independent (run with {first_cipher})", first_cipher, COMMON_ROWS))
    for title, cipher, rows in sections:
        body = []
        for row in rows:
            per = {c: values(records, row.metric, cipher, c) for c in CLIENTS + ("direct",)}
            bad = {c: failures(records, row.metric, cipher, c) for c in CLIENTS + ("direct",)}
            if not any(per.values()) and not any(bad.values()):
                continue
            med = {c: statistics.median(v) if v else None for c, v in per.items()}
            line = [row.label, row.unit, num(med["direct"]) if per["direct"] else "", cell(per["ssh"], bad["ssh"])]
            for client, target in (("caret-sshd", row.target), ("caret-jsch", row.jsch_target)):
                ratio = med[client] / med["ssh"] if med[client] is not None and med["ssh"] else None
                text, mark = check(target, med[client], med["ssh"], bad[client])
                line += [cell(per[client], bad[client]), f"{ratio:.2f}x" if ratio is not None else "–", text, mark]
            body.append(line)
        if body:
            out.append([f"[{title}]"] + [""] * (len(header) - 1))
            out.extend(body)
    return out


def slow_lines(samples):
    lines = []
    for client in ("caret-sshd", "caret-jsch"):
        s = sorted((x for x in samples if x["client"] == client), key=lambda x: x["t"])
        if not s:
            continue
        heap = [x["heap"]["heap_used_kib"] / 1024 for x in s]
        rss = [x["rss_kib"] / 1024 for x in s]
        flat = max(heap) <= heap[0] + 16
        lines.append(f"{client}: live heap first/max/last {num(heap[0])}/{num(max(heap))}/{num(heap[-1])} MiB, "
                     f"RSS first/max/last {num(rss[0])}/{num(max(rss))}/{num(rss[-1])} MiB, "
                     f"{len(s)} samples over {s[-1]['t']} s: {'PASS' if flat else 'MISS'} "
                     f"(flat = max live heap within 16 MiB of the first sample)")
    return lines


def incidents(folder):
    """Connections Caret lost (and reconnected) during the run, and measurements that failed."""
    lines = []
    for log in sorted((folder / "logs").glob("caret-*.log")):
        text = log.read_text(errors="replace").splitlines()
        lost = [l.strip() for l in text if " lost: " in l and "retrying in" in l]
        deaths = [l.strip() for l in text if l.startswith("Terminating due to") or "Exception in thread" in l]
        if deaths:
            lines.append(f"{log.stem}: died {len(deaths)} times during the run: {deaths[0]}")
        if lost:
            lines.append(f"{log.stem}: its SSH connection dropped {len(lost)} times during the run (Caret reconnected); "
                         f"first: {lost[0]}")
    warnings = folder / "warnings.txt"
    if warnings.exists():
        failed = warnings.read_text().splitlines()
        lines.append(f"{len(failed)} measurements failed or were skipped: see {warnings}")
    return lines


def text_table(rows):
    widths = [max(len(r[i]) for r in rows if not r[0].startswith("[")) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        if r[0].startswith("["):
            lines.append(r[0])
            continue
        parts = [r[0].ljust(widths[0]), r[1].ljust(widths[1])] + [r[i].rjust(widths[i]) for i in range(2, len(r))]
        lines.append("  ".join(parts).rstrip())
    return lines


def markdown_table(rows):
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * 2 + "---:|" * (len(rows[0]) - 2)]
    for r in rows[1:]:
        if r[0].startswith("["):
            lines.append(f"| **{r[0][1:-1]}** |" + " |" * (len(r) - 1))
        else:
            lines.append("| " + " | ".join(r) + " |")
    return lines


def table(folder):
    folder = Path(folder)
    records, samples, meta = load(folder)
    present = [c for c in CIPHERS if any(r["cipher"] == c for r in records)]
    rows = table_rows(records, present, meta.get("first_cipher", "-"))
    legend = ("median (min–max over rounds); ratio = caret/ssh of the medians; for latency, RSS, heap, CPU "
              "and start-up lower is better; direct = the same load without any forwarder (iperf3 or the "
              "python tool straight to the server), the physical limit beside openssl's cipher speed")
    machine = "; ".join(f"{k}: {meta[k]}" for k in ("cpu", "memory", "kernel", "jdk", "openssh") if k in meta)
    run = "; ".join(f"{k}: {meta[k]}" for k in ("date", "commit", "rounds", "duration", "load_start", "load_end")
                    if k in meta)
    slow = slow_lines(samples)
    text = [f"Caret vs OpenSSH ssh — {run}", f"Machine: {machine}", legend, ""] + text_table(rows)
    if slow:
        mib = int(meta.get("slow_bytes", "0")) / 1048576
        text += ["", f"Slow reader ({mib:g} MiB pushed through a local forward to a reader taking 1 MiB/s):"]
        text += ["  " + s for s in slow]
    trouble = incidents(folder)
    if trouble:
        text += ["", "Incidents:"] + ["  " + t for t in trouble]
    print("\n".join(text))
    md = [f"Run: {run}.", "", f"Machine: {machine}.", "", legend + ".", ""] + markdown_table(rows)
    if slow:
        md += ["", f"Slow reader ({mib:g} MiB pushed through a local forward to a reader taking 1 MiB/s):", ""]
        md += ["- " + s for s in slow]
    if trouble:
        md += ["", "Incidents:", ""] + ["- " + t.replace(str(folder) + "/", "") for t in trouble]
    (folder / "table.md").write_text("\n".join(md) + "\n")


def iperf(path):
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        sys.exit(f"iperf3 gave no JSON result ({e})")
    received = data.get("end", {}).get("sum_received", {})
    if data.get("error") or not received.get("seconds"):
        sys.exit(f"iperf3 gave no result: {data.get('error', 'no sum_received in its JSON')}")
    print(received["bytes"], f"{received['bytes'] / received['seconds'] / 1e6:.3f}")


def iperf_error(path):
    try:
        print(json.loads(Path(path).read_text()).get("error", ""))
    except (OSError, ValueError):
        pass


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("table", "iperf", "iperf-error"):
        sys.exit(__doc__)
    {"table": table, "iperf": iperf, "iperf-error": iperf_error}[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
