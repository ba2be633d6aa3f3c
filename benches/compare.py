#!/usr/bin/env python3
"""Side-by-side benchmark of dsfetch against its peers, on the project's fake hub.

Run through benches/compare.sh, which builds the release binaries and installs the peers. This
script makes the data (cached in the work folder), starts `fakehub` as a standalone process with
each scenario's settings, runs every tool RUNS times on the same data, and prints a table of
median wall time, median peak RSS, and dsfetch's ratio to each peer.

Environment: DSFETCH, FAKEHUB (binaries), VENV (python venv with huggingface_hub, kaggle,
kagglehub), WORK (work folder), RUNS (default 3), SCENARIOS (comma list, default all:
hf-capped,hf-uncapped,hf-small,kaggle-capped,kaggle-uncapped,version). BASELINE: another dsfetch
binary (say, an earlier commit's) measured in every scenario beside DSFETCH, to compare two
versions; PEERS=0 leaves out the other tools.
"""

import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time

DSFETCH = os.environ["DSFETCH"]
FAKEHUB = os.environ["FAKEHUB"]
VENV = os.environ["VENV"]
WORK = os.environ["WORK"]
RUNS = int(os.environ.get("RUNS", "3"))
BASELINE = os.environ.get("BASELINE")
PEERS = os.environ.get("PEERS", "1") != "0"
SCENARIOS = os.environ.get(
    "SCENARIOS", "hf-capped,hf-uncapped,hf-small,kaggle-capped,kaggle-uncapped,version"
).split(",")

DATA = os.path.join(WORK, "data")
OUT = os.path.join(WORK, "out")
KAGGLE_PORT = 80  # the kaggle CLI and kagglehub in LOCALHOST mode only talk to localhost:80


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def make_data():
    """1 GiB LFS file; 1000 files of 64 KiB; 200 CSVs (100 MB, about 40 MB zipped)."""
    big = os.path.join(DATA, "big", "hf", "bench", "big", "big.bin")
    if not os.path.exists(big):
        log("making a 1 GiB file")
        os.makedirs(os.path.dirname(big), exist_ok=True)
        with open(big + ".tmp", "wb") as f:
            for _ in range(1024):
                f.write(os.urandom(1 << 20))
        os.rename(big + ".tmp", big)
    small = os.path.join(DATA, "small", "hf", "bench", "small")
    if not os.path.isdir(small):
        log("making 1000 files of 64 KiB")
        tmp = small + ".tmp"
        for i in range(1000):
            p = os.path.join(tmp, "part-%d" % (i // 100), "f%04d.txt" % i)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(os.urandom(64 * 1024))
        os.rename(tmp, small)
    csvs = os.path.join(DATA, "kaggle4", "kaggle", "bench", "csvs")
    if not os.path.isdir(csvs):
        log("making 200 CSVs")
        rng = random.Random(42)
        tmp = csvs + ".tmp"
        os.makedirs(tmp, exist_ok=True)
        for i in range(200):
            rows = ["id,city,value,score,flag,note"]
            n = 0
            while n < 500_000:
                row = "%d,%s,%.1f,%d,%s,%s" % (
                    len(rows),
                    rng.choice(["paris", "lima", "oslo", "kyoto", "quito", "accra"]),
                    rng.random() * 100,
                    rng.randrange(1000),
                    rng.choice(["true", "false"]),
                    rng.choice(["ok", "late", "missing", "duplicate"]),
                )
                rows.append(row)
                n += len(row) + 1
            with open(os.path.join(tmp, "table_%03d.csv" % i), "w") as f:
                f.write("\n".join(rows) + "\n")
        os.rename(tmp, csvs)


# ---------------------------------------------------------------- fake hub


class Hub:
    def __init__(self, data, port=0, cdn_rate=None, api_latency_ms=0):
        args = [FAKEHUB, "--port", str(port), "--data", data, "--kaggle-user", "bench:key"]
        if cdn_rate:
            args += ["--cdn-rate", str(cdn_rate)]
        if api_latency_ms:
            args += ["--api-latency-ms", str(api_latency_ms)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("fakehub did not start: " + " ".join(args))
        self.urls = json.loads(line)
        self.api = self.urls["api"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


# ---------------------------------------------------------------- measuring


def run_once(cmd, env, cwd=None, rss=True):
    """Runs cmd; returns (wall seconds, peak RSS in MiB). Fails loudly on a non-zero exit.

    Peak RSS comes from /usr/bin/time (GNU time's %M): the rusage of a child forked from this
    Python process would count the interpreter's own pages from before the exec."""
    rss_file = os.path.join(WORK, "rss")
    full = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd if rss else cmd
    t0 = time.perf_counter()
    p = subprocess.run(full, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (
            " ".join(cmd), p.returncode, p.stderr.decode(errors="replace")[-2000:]))
    peak = 0.0
    if rss:
        with open(rss_file) as f:
            peak = int(f.read().split()[-1]) / 1024.0
    return wall, peak


def clean(path):
    shutil.rmtree(path, ignore_errors=True)


def measure(name, cmd, env, out, runs=RUNS, check=None, wall_without_wrapper=False):
    walls, rss = [], []
    for _ in range(runs):
        clean(out)
        os.makedirs(out, exist_ok=True)
        # Start every timed run from a quiet disk: without this, whichever tool runs after
        # another one pays for the previous run's 1 GiB of writeback (dsfetch syncs its files
        # before renaming them into place, so it is the one that waits for the disk).
        os.sync()
        w, r = run_once(cmd, env, cwd=out)
        if wall_without_wrapper:
            # Millisecond-scale commands: time them without /usr/bin/time in between.
            w, _ = run_once(cmd, env, cwd=out, rss=False)
        if check:
            check(out)
        walls.append(w)
        rss.append(r)
    clean(out)
    res = {"tool": name, "wall": statistics.median(walls), "rss": statistics.median(rss),
           "walls": walls}
    log("  %-34s median %.3f s  (runs: %s)  peak RSS %.0f MiB" % (
        name, res["wall"], ", ".join("%.3f" % w for w in walls), res["rss"]))
    return res


def base_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "KAGGLE", "DSFETCH_"))}
    env["HOME"] = os.path.join(WORK, "home")
    os.makedirs(env["HOME"], exist_ok=True)
    env["PATH"] = os.path.join(VENV, "bin") + ":" + env.get("PATH", "")
    env["HF_HUB_DISABLE_XET"] = "1"
    env["HF_HUB_DISABLE_TELEMETRY"] = "1"
    env["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    env["HF_HUB_DISABLE_UPDATE_CHECK"] = "1"
    return env


def expect_size(rel, size):
    def check(out):
        p = os.path.join(out, rel)
        if os.path.getsize(p) != size:
            raise RuntimeError("%s has %d bytes, want %d" % (p, os.path.getsize(p), size))
    return check


def expect_files(n, under=""):
    def check(out):
        count = 0
        for root, dirs, files in os.walk(os.path.join(out, under)):
            dirs[:] = [d for d in dirs if d not in (".dsfetch", ".cache")]
            count += sum(1 for f in files if not f.endswith((".zip", ".archive")))
        if count < n:
            raise RuntimeError("%d files under %s, want %d" % (count, out, n))
    return check


# ---------------------------------------------------------------- scenarios


def dsfetch_rows(args, env, out, check):
    """dsfetch's row, and the baseline binary's beside it when BASELINE is set."""
    rows = [measure("dsfetch", [DSFETCH] + args, env, out, check=check)]
    if BASELINE:
        rows.append(measure("dsfetch baseline", [BASELINE] + args, env, out, check=check))
    return rows


def hf_big(title, cdn_rate):
    hub = Hub(os.path.join(DATA, "big"), cdn_rate=cdn_rate)
    try:
        env = base_env()
        env["HF_ENDPOINT"] = hub.api
        env["HF_HOME"] = os.path.join(WORK, "hf-home")
        url = hub.api + "/datasets/bench/big/resolve/main/big.bin"
        out = os.path.join(OUT, "big")
        size = 1 << 30
        rows = dsfetch_rows(["download", "hf", "bench/big", "-o", out, "-q"], env, out,
                            expect_size("big.bin", size))
        if not PEERS:
            return (title, rows)
        rows.append(measure("curl (single stream)",
                            ["curl", "-sSfL", "-o", "big.bin", url], env, out,
                            check=expect_size("big.bin", size)))
        rows.append(measure("aria2c -x16 -s16",
                            ["aria2c", "-q", "-x16", "-s16", "--allow-overwrite=true",
                             "--auto-file-renaming=false", "-o", "big.bin", url], env, out,
                            check=expect_size("big.bin", size)))
        clean(env["HF_HOME"])
        rows.append(measure("hf download",
                            ["hf", "download", "bench/big", "--repo-type", "dataset",
                             "--local-dir", out], env, out, check=expect_size("big.bin", size)))
        clean(env["HF_HOME"])
        return (title, rows)
    finally:
        hub.stop()


def hf_small():
    hub = Hub(os.path.join(DATA, "small"), api_latency_ms=20)
    try:
        env = base_env()
        env["HF_ENDPOINT"] = hub.api
        env["HF_HOME"] = os.path.join(WORK, "hf-home")
        out = os.path.join(OUT, "small")
        rows = dsfetch_rows(["download", "hf", "bench/small", "-o", out, "-q"], env, out,
                            expect_files(1000))
        if not PEERS:
            return ("3. 1000 files of 64 KiB, API latency 20 ms", rows)
        clean(env["HF_HOME"])
        rows.append(measure("hf download",
                            ["hf", "download", "bench/small", "--repo-type", "dataset",
                             "--local-dir", out], env, out, check=expect_files(1000)))
        clean(env["HF_HOME"])
        return ("3. 1000 files of 64 KiB, API latency 20 ms", rows)
    finally:
        hub.stop()


def port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def kaggle(title, cdn_rate):
    if not port_free(KAGGLE_PORT):
        log("port %d is busy or needs root: skipping %s" % (KAGGLE_PORT, title))
        return (title + " (skipped: port 80 unavailable)", [])
    hub = Hub(os.path.join(DATA, "kaggle4"), port=KAGGLE_PORT, cdn_rate=cdn_rate)
    try:
        env = base_env()
        env["KAGGLE_USERNAME"] = "bench"
        env["KAGGLE_KEY"] = "key"
        denv = dict(env, KAGGLE_API_ENDPOINT=hub.api)
        penv = dict(env, KAGGLE_API_ENVIRONMENT="LOCALHOST",
                    KAGGLEHUB_CACHE=os.path.join(OUT, "kaggle"),
                    DISABLE_KAGGLE_CACHE="1", DISABLE_COLAB_CACHE="1")
        out = os.path.join(OUT, "kaggle")
        rows = dsfetch_rows(["download", "kaggle", "bench/csvs", "-o", out, "-q"], denv, out,
                            expect_files(200))
        if not PEERS:
            return (title, rows)
        rows.append(measure("kaggle datasets download --unzip",
                            ["kaggle", "datasets", "download", "bench/csvs", "-p", out,
                             "--unzip", "-q"], penv, out, check=expect_files(200)))
        rows.append(measure("kagglehub",
                            [os.path.join(VENV, "bin", "python"), "-c",
                             "import kagglehub; kagglehub.dataset_download('bench/csvs')"],
                            penv, out, check=expect_files(200)))
        return (title, rows)
    finally:
        hub.stop()


def version():
    env = base_env()
    n = max(RUNS, 20)
    v = os.path.join(OUT, "v")
    rows = [measure("dsfetch --version", [DSFETCH, "--version"], env, v, n,
                    wall_without_wrapper=True)]
    if BASELINE:
        rows.append(measure("baseline --version", [BASELINE, "--version"], env, v, n,
                            wall_without_wrapper=True))
    if not PEERS:
        return ("5. start-up", rows)
    rows.append(measure("hf version", ["hf", "version"], env, v, RUNS, wall_without_wrapper=True))
    rows.append(measure("kaggle --version", ["kaggle", "--version"], env, v, RUNS,
                        wall_without_wrapper=True))
    return ("5. start-up", rows)


def table(results):
    lines = []
    for title, rows in results:
        lines.append("")
        lines.append("### " + title)
        lines.append("")
        if not rows:
            continue
        lines.append("| tool | median wall | peak RSS | dsfetch time / tool time | tool time / dsfetch time |")
        lines.append("|---|---:|---:|---:|---:|")
        ds = rows[0]["wall"]
        for r in rows:
            wall = "%.1f ms" % (r["wall"] * 1000) if r["wall"] < 1 else "%.2f s" % r["wall"]
            ratio = speedup = ""
            if r is not rows[0]:
                ratio = ("%.3f" if ds / r["wall"] < 0.1 else "%.2f") % (ds / r["wall"])
                speedup = "%.1f" % (r["wall"] / ds)
            lines.append("| %s | %s | %.1f MiB | %s | %s |" % (
                r["tool"], wall, r["rss"], ratio, speedup))
    return "\n".join(lines)


def main():
    os.makedirs(WORK, exist_ok=True)
    make_data()
    plan = {
        "hf-capped": lambda: hf_big("1. one 1 GiB LFS file, CDN capped at 100 MB/s per connection",
                                    100_000_000),
        "hf-uncapped": lambda: hf_big("2. the same file, no cap", None),
        "hf-small": hf_small,
        "kaggle-capped": lambda: kaggle(
            "4a. Kaggle, 200 CSVs, storage capped at 20 MB/s per connection", 20_000_000),
        "kaggle-uncapped": lambda: kaggle("4b. Kaggle, 200 CSVs, no cap", None),
        "version": version,
    }
    results = []
    for s in SCENARIOS:
        log("== " + s)
        results.append(plan[s]())
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print("Machine: %s, %d cores; median of %d runs (start-up: of %d)." % (
        cpu or "unknown CPU", os.cpu_count() or 0, RUNS, max(RUNS, 20)))
    print(table(results))


if __name__ == "__main__":
    main()
