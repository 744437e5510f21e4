#!/usr/bin/env python3
"""Every benchmark of docs/PERFORMANCE.md with its peer or floor, side by side in one run.

Run through benches/run_all.sh (which builds the release binaries and the Python peers);
prints one table (median, min-max, peer, ratio, goal) and writes it as JSON for the docs.
Absolute times on a shared 2-core machine move by +-30 %: ratios are measured in the same
run, each side interleaved with the other.
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
FLOWBENCH = os.path.join(TARGET, "release", "flowbench")
VENV_PYTHON = os.environ.get("FLOWBENCH_BENCH_PYTHON", sys.executable)
RUNS = int(os.environ.get("FLOWBENCH_BENCH_RUNS", "5"))
WORK = os.environ.get("FLOWBENCH_BENCH_WORK", "/tmp/flowbench-bench")
QUICK = os.environ.get("FLOWBENCH_BENCH_QUICK") == "1"
rows_out = []


def log(text):
    print(text, file=sys.stderr, flush=True)


def stats(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def row(name, ours, unit, peer=None, peer_name="", goal="", met=None, note=""):
    entry = {"name": name, "ours": ours, "unit": unit, "peer": peer, "peer_name": peer_name,
             "goal": goal, "met": met, "note": note}
    if peer is not None and ours is not None and ours["median"] > 0:
        # Against a floor (curl): how many times the floor we take; against a peer: how many
        # times faster we are.
        if "floor" in peer_name and peer["median"] > 0:
            entry["ratio"] = ours["median"] / peer["median"]
            entry["ratio_suffix"] = " the floor"
        else:
            entry["ratio"] = peer["median"] / ours["median"]
    rows_out.append(entry)
    log(f"  {name}: {fmt(ours, unit)}" + (f" | {peer_name}: {fmt(peer, unit)}" if peer else ""))


def fmt(s, unit):
    if s is None:
        return "-"
    if s["runs"] == 1:
        return f"{s['median']:.1f} {unit}"
    return f"{s['median']:.1f} {unit} ({s['min']:.1f}-{s['max']:.1f})"


def timed(cmd, env=None, stdout=subprocess.DEVNULL, check=True):
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if check and done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed, done


def max_rss_kb(cmd, env=None):
    """Peak resident memory of a command (GNU time), in KB."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {done.stderr.decode()[-2000:]}")
    return int(done.stderr.decode().strip().splitlines()[-1])


def bench_env():
    env = dict(os.environ)
    home = os.path.join(WORK, "home")
    env.update({"FLOWBENCH_DATA_DIR": os.path.join(home, "data"), "FLOWBENCH_CONFIG_DIR": os.path.join(home, "config"),
                "XDG_CACHE_HOME": os.path.join(home, "cache")})
    return env


class Demo:
    """A release `flowbench demo` on loopback (its database kept between runs of the script)."""

    def __init__(self, rows, extra=()):
        os.makedirs(WORK, exist_ok=True)
        self.db = os.path.join(WORK, f"demo-{rows}.sqlite")
        cmd = [FLOWBENCH, "demo", "--rows", str(rows), "--db", self.db] + list(extra)
        if not os.path.exists(self.db):
            log(f"  seeding a demo database of {rows} customers (once) ...")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=bench_env())
        line = self.proc.stdout.readline().decode()
        match = re.search(r"(http://127\.0\.0\.1:\d+/data/)", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"the demo did not start: {line!r}")
        self.root = match.group(1)

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- 1. metadata -------------------------------------------------------------------------

PYODATA_LXML = r"""
import sys
from odata import ODataService
from odata.metadata import ET, has_lxml
assert has_lxml, "lxml missing in the peer's environment"
data = open(sys.argv[1], "rb").read()
service = ODataService("http://127.0.0.1:9/data/", reflect_entities=False, quiet_progress=True)
metadata = service.metadata
metadata.load_document = lambda: ET.fromstring(data)  # the same bytes, no network
entity_sets = metadata.get_entity_sets()
print(len(entity_sets))
"""


def metadata_benchmarks(document):
    log("metadata")
    env = bench_env()
    ours, peer = [], []
    for _ in range(RUNS):
        ours.append(timed([FLOWBENCH, "metadata", "summary", document], env=env)[0])
        if len(peer) < max(3, RUNS // 2):
            peer.append(timed([VENV_PYTHON, "-c", PYODATA_LXML, document])[0])
    row("metadata, whole process: `flowbench metadata summary FILE` (30 MB, 3 000 entity sets)", stats(ours), "ms",
        stats(peer), "python-odata 0.8.1 + lxml, whole process", "≥ 40×",
        met=statistics.median(peer) / statistics.median(ours) >= 40)
    out = subprocess.run(["cargo", "bench", "--locked", "--bench", "metadata", "--", document], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    load = re.search(r"cache_load_median_ms=([\d.]+) cache_load_min_ms=([\d.]+)", out)
    index = re.search(r"index_load_median_ms=([\d.]+) index_load_min_ms=([\d.]+)", out)
    if load:
        med, mn = float(load.group(1)), float(load.group(2))
        row("metadata cache, full model decode", {"median": med, "min": mn, "max": med, "runs": RUNS}, "ms",
            goal="(see index)", met=None)
    if index:
        med, mn = float(index.group(1)), float(index.group(2))
        row("metadata cache load to entity search (index first, types on demand)",
            {"median": med, "min": mn, "max": med, "runs": RUNS}, "ms", goal="≤ 10 ms", met=med <= 10)


# --- 2, 3, 7. paging ---------------------------------------------------------------------

def page_urls(root, pages, size, extra="cross-company=true"):
    return [f"{root}CustomersV3?{extra}&$skiptoken={k * size}" for k in range(pages)]


PY_PAGER = r"""
import csv, sys, requests
url, out = sys.argv[1], sys.argv[2]
session = requests.Session()
with open(out, "w", newline="") as f:
    writer = None
    while url:
        body = session.get(url).json()
        for record in body["value"]:
            if writer is None:
                writer = csv.DictWriter(f, fieldnames=list(record.keys()), extrasaction="ignore")
                writer.writeheader()
            writer.writerow(record)
        url = body.get("@odata.nextLink")
"""


def paging_benchmarks():
    log("paging")
    records = 20_000 if QUICK else 100_000
    demo = Demo(records)
    try:
        env = bench_env()
        out = os.path.join(WORK, "out.csv")
        first = f"{demo.root}CustomersV3?cross-company=true"
        # The number of pages the server sends.
        total = int(urllib.request.urlopen(f"{demo.root}CustomersV3/$count?cross-company=true").read())
        pages = -(-total // 10_000)
        urls = page_urls(demo.root, pages, 10_000)
        ours, ours_stdout, floor, peer, page_times = [], [], [], [], []
        for _ in range(RUNS):
            ours.append(timed([FLOWBENCH, "list", "CustomersV3", "--instance", demo.root, "--all",
                               "--cross-company", "--format", "csv", "--output", out], env=env)[0])
            ours_stdout.append(timed([FLOWBENCH, "list", "CustomersV3", "--instance", demo.root, "--all",
                                      "--cross-company", "--format", "csv"], env=env)[0])
            floor.append(timed(["curl", "-s", "-o", "/dev/null"] + sum((["-o", "/dev/null", u] for u in urls[1:]), [urls[0]]))[0])
            if len(peer) < 3:
                peer.append(timed([VENV_PYTHON, "-c", PY_PAGER, first, os.path.join(WORK, "peer.csv")])[0])
            done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", urls[0]],
                                  capture_output=True, text=True, check=True)
            page_times.append(float(done.stdout) * 1000)
        row(f"paging {total} records to a CSV file (`flowbench list --all --format csv --output`, synced, renamed)", stats(ours), "ms",
            stats(floor), f"curl, the same {pages} pages, no decoding (floor)", "≤ 1.15× the floor",
            met=statistics.median(ours) <= 1.15 * statistics.median(floor))
        row(f"paging {total} records to CSV on stdout (`> /dev/null`, no file to sync)", stats(ours_stdout), "ms",
            stats(floor), f"curl, the same {pages} pages, no decoding (floor)", "≤ 1.15× the floor",
            met=statistics.median(ours_stdout) <= 1.15 * statistics.median(floor))
        row(f"paging {total} records to CSV, Python requests + csv pager", stats(ours), "ms", stats(peer),
            "Python requests pager", "faster than the peer", met=statistics.median(ours) < statistics.median(peer))
        row("demo instance: one page of 10 000 records (curl, total time)", stats(page_times), "ms",
            goal="≤ 30 ms", met=statistics.median(page_times) <= 30)
        rss = max_rss_kb([FLOWBENCH, "list", "CustomersV3", "--instance", demo.root, "--all", "--cross-company",
                          "--format", "csv", "--output", out], env=env)
        row(f"peak memory, {total} records to CSV", {"median": rss / 1024, "min": rss / 1024, "max": rss / 1024, "runs": 1},
            "MB", goal="flat in records", met=None)
    finally:
        demo.close()
    if not QUICK and os.environ.get("FLOWBENCH_BENCH_MILLION", "1") == "1":
        demo = Demo(1_000_000)
        try:
            rss = max_rss_kb([FLOWBENCH, "list", "CustomersV3", "--instance", demo.root, "--all", "--cross-company",
                              "--format", "csv", "--output", os.path.join(WORK, "million.csv")], env=bench_env())
            row("peak memory, 1 000 000 records to CSV", {"median": rss / 1024, "min": rss / 1024, "max": rss / 1024,
                                                          "runs": 1}, "MB", goal="< 120 MB", met=rss / 1024 < 120)
        finally:
            demo.close()


def parallel_benchmarks():
    log("parallel paging")
    latency = int(os.environ.get("FLOWBENCH_BENCH_LATENCY_MS", "300"))
    demo = Demo(20_000, ["--latency", str(latency), "--page-size", "500"])
    try:
        env = bench_env()
        seq_out, par_out = os.path.join(WORK, "seq.csv"), os.path.join(WORK, "par.csv")
        seq, par = [], []
        base = [FLOWBENCH, "list", "CustomersV3", "--instance", demo.root, "--all", "--cross-company", "--format", "csv"]
        for _ in range(max(3, RUNS // 2)):
            seq.append(timed(base + ["--output", seq_out], env=env)[0])
            par.append(timed(base + ["--parallel", "8", "--page-size", "500", "--output", par_out], env=env)[0])
        same = open(seq_out, "rb").read() == open(par_out, "rb").read()
        row(f"20 000 records, 500 per page (40 pages), {latency} ms latency per request: `--parallel 8`", stats(par), "ms",
            stats(seq), "the same listing page by page (nextLink)", "≥ 4×, same records in the same order",
            met=same and statistics.median(seq) / statistics.median(par) >= 4,
            note="identical CSV" if same else "CSV DIFFERS")
    finally:
        demo.close()


# --- 4, 5, 6. bench binaries -------------------------------------------------------------

def cargo_bench(name, env=None):
    merged = dict(os.environ)
    merged.update(env or {})
    return subprocess.run(["cargo", "bench", "--locked", "--bench", name], cwd=REPO, capture_output=True,
                          text=True, check=True, env=merged).stdout


def result_lines(text):
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 6 and parts[0] == "RESULT":
            parts = parts[1:]
        if len(parts) == 5:
            try:
                figures = [float(p) for p in parts[1:4]]
            except ValueError:
                continue
            yield parts[0], {"median": figures[0], "min": figures[1], "max": figures[2], "runs": RUNS}, parts[4]


def batch_benchmarks():
    log("batch creates")
    # Each run of the bench binary is one interleaved pass of 10 000 creates per side (a new
    # demo instance each time); the figures are the medians of three passes.
    singles, batches, unit = [], [], "ms"
    for _ in range(3):
        results = dict((name, (s, u)) for name, s, u in result_lines(cargo_bench("batch_creates")))
        single, unit = results["creates_one_request_each"]
        singles.append(single["median"])
        batches.append(results["creates_batch_changesets"][0]["median"])
    row("10 000 creates through `$batch` changesets (3 passes)", stats(batches), unit, stats(singles),
        "one POST each, same server", "≥ 10×", met=statistics.median(singles) / statistics.median(batches) >= 10)


def runner_benchmarks():
    log("flow runner")
    try:
        out = cargo_bench("flow_runner")
    except subprocess.CalledProcessError as error:
        row("flow runner", None, "", note=f"bench missing: {error}")
        return
    for name, s, unit in result_lines(out):
        goal, met = "", None
        if "per_action" in name or "per action" in name:
            goal, met = "< 20 µs", s["median"] < 20
        elif "expression" in name:
            goal, met = "< 1 µs", s["median"] < 1000 if unit == "ns" else s["median"] < 1
        row(f"flow runner: {name}", s, unit, goal=goal, met=met)


def frame_benchmarks():
    log("window frames")
    frame = re.compile(r"^(.*?):?\s+(?:\d+ frames\s+)?median\s+([\d.]+) ms\s+p95\s+([\d.]+) ms\s+max\s+([\d.]+) ms")
    for bench in ("table_frame", "flow_view"):
        for line in cargo_bench(bench).splitlines():
            m = frame.match(line.strip())
            if m:
                med, p95, mx = float(m.group(2)), float(m.group(3)), float(m.group(4))
                row(f"frame: {m.group(1).strip()}", {"median": med, "min": med, "max": mx, "runs": 1}, "ms",
                    goal="< 16 ms", met=p95 < 16, note=f"p95 {p95:.2f} ms")


def cold_start():
    log("cold start")
    env = bench_env()
    env[("FLOWBENCH_FIRST_FRAME_REPORT")] = "1"
    xvfb = None
    if not env.get("DISPLAY"):
        xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1600x1000x24"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        env["DISPLAY"] = ":97"
        time.sleep(1)
    times = []
    try:
        for _ in range(RUNS):
            done = subprocess.run([FLOWBENCH], env=env, capture_output=True, text=True, timeout=60)
            m = re.search(r"first frame after ([\d.]+) ms", done.stderr)
            if m:
                times.append(float(m.group(1)))
    finally:
        if xvfb:
            xvfb.terminate()
    if times:
        row("cold start to the first frame (Xvfb, software GL)", stats(times), "ms", goal="< 300 ms",
            met=statistics.median(times) < 300)
    size = os.path.getsize(FLOWBENCH) / 1e6
    row("release binary size", {"median": size, "min": size, "max": size, "runs": 1}, "MB", goal="reported")


def print_table():
    print()
    print(f"| what | Flowbench median (min–max) | peer or floor | ratio | goal | met |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for r in rows_out:
        # Against a floor the goal is close to 1 (≤ 1.15×): two decimals tell met from missed.
        digits = 2 if r.get("ratio_suffix") else 1
        ratio = f"{r['ratio']:.{digits}f}×{r.get('ratio_suffix', '')}" if r.get("ratio") else ""
        met = "" if r["met"] is None else ("yes" if r["met"] else "**missed**")
        peer = f"{r['peer_name']}: {fmt(r['peer'], r['unit'])}" if r["peer"] else ""
        note = f" ({r['note']})" if r["note"] else ""
        print(f"| {r['name']}{note} | {fmt(r['ours'], r['unit'])} | {peer} | {ratio} | {r['goal']} | {met} |")
    os.makedirs(WORK, exist_ok=True)  # a run of steps that start no demo made none
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(rows_out, f, indent=2)


def main():
    document = sys.argv[1]
    only = set(os.environ.get("FLOWBENCH_BENCH_ONLY", "").split(",")) - {""}
    steps = [("metadata", lambda: metadata_benchmarks(document)), ("paging", paging_benchmarks),
             ("parallel", parallel_benchmarks), ("batch", batch_benchmarks), ("runner", runner_benchmarks),
             ("frames", frame_benchmarks), ("start", cold_start)]
    for name, step in steps:
        if only and name not in only:
            continue
        try:
            step()
        except Exception as error:  # a failing step is reported, the others still run
            log(f"  {name} failed: {error}")
            row(f"{name}: failed", None, "", note=str(error)[:200])
    print_table()


if __name__ == "__main__":
    main()
