#!/usr/bin/env python3
"""The ladder benchmark: blomodel (CBC and GLPK) side by side with PAO on the peers' ladders.

    python3 Benchmarks/ladders/run.py [--peers DIR] [--blomodel BIN] [--pao-python PY]
                                      [--time-limit S] [--only PREFIX ...] [--work DIR]

For each instance of DIR/instances (the format blp-json/1, DIR/README.md): converts it to .blo
(blp_to_blo.py: as generated, and for the toll family also written naturally), then runs, one
instance after another and the systems interleaved on each:
  - blomodel solve --json with --solver auto (the default), cbc and glpk (wall and CPU seconds of the process,
    its route, certification, MILP size and the split parse / reformulation / solver / verification),
  - PAO (DIR/pao_run.py, FA method, the same CBC and GLPK programs) when --pao-python names a
    Python with pyomo and pao, on the instance as generated (PAO cannot model integer tolls),
  - for the toll family, the problem-specific path-based MILP (path_based.py, scipy/HiGHS, the same
    Python), beside the natural form,
and prints one table: size, MILP rows/columns/binaries, wall and CPU seconds per system, status,
certification and the leader's objective against the reference optimum of DIR/README.md.

Measuring only: the product's solve path runs no Python.
"""
import argparse
import glob
import json
import os
import re
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# Reference optima (seed 1 unless named), from the table "References" of ../shared/peers/README.md:
# brute force (toll T1-T3, menu M1-M3), a path-based MILP re-evaluated by shortest paths (toll T4-T6),
# independent KKT MILPs on HiGHS (menu M4, M5; supply S1-S7, big-M 1e4: not a proof); S8 best known.
REFERENCES = {
    "toll_T1_s1": 24, "toll_T2_s1": 26, "toll_T3_s1": 48, "toll_T4_s1": 44, "toll_T5_s1": 156, "toll_T6_s1": 272,
    "toll_T1_s2": 30, "toll_T1_s3": 8, "toll_T2_s2": 60, "toll_T2_s3": 24, "toll_T3_s2": 24, "toll_T3_s3": 42,
    # Not in the README: brute force over every toll vector (gen_toll.brute_force), and the
    # path-based MILP of path_based.py agrees.
    "toll_T4_s2": 10, "toll_T4_s3": 48,
    "menu_M1_s1": 200, "menu_M2_s1": 240, "menu_M3_s1": 470, "menu_M4_s1": 760, "menu_M5_s1": 840,
    "supply_S1_s1": 470.5025, "supply_S2_s1": 1787.56492, "supply_S3_s1": 6694.844162774,
    "supply_S4_s1": 22813.11065285, "supply_S5_s1": 46303.255485966, "supply_S6_s1": 94426.735529313,
    "supply_S7_s1": 192571.398490671,
}
BEST_KNOWN = {"supply_S8_s1": 384243.494255}


def brute_force_reference(instance):
    """An enumerated optimum stored in the instance itself (meta.brute_force), if any."""
    meta = instance.get("meta", {})
    bf = meta.get("brute_force")
    if isinstance(bf, dict):
        for key in ("brute_force_revenue", "revenue", "optimum", "value"):
            if key in bf:
                return float(bf[key])
    return None


def timed(cmd, timeout):
    """Runs cmd; returns (stdout, stderr, wall seconds, CPU seconds of the child, return code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, err, rc = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), "killed at %.0f s" % timeout, -9
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, err, wall, cpu, rc


def run_blomodel(binary, model, solver, time_limit):
    out, err, wall, cpu, rc = timed(
        [binary, "solve", model, "--solver", solver, "--time-limit", str(time_limit), "--json"], time_limit * 3 + 30)
    row = {"wall": wall, "cpu": cpu}
    try:
        d = json.loads(out)
    except ValueError:
        first = (err.strip().splitlines() or ["no output"])[0]
        row.update(status="error", cert="-", obj=None, note=first[:80])
        return row
    t = d.get("timing", {})
    row.update(
        status=d.get("termination", "?"), cert=d.get("certification", "?"), route=d.get("route", "?"),
        obj=(d.get("leader") or {}).get("objective"), rows=(d.get("size") or {}).get("rows"),
        cols=(d.get("size") or {}).get("columns"), ints=(d.get("size") or {}).get("binaries"),
        front=sum(t.get(k, 0) or 0 for k in ("parse", "reformulation", "verification")), solver_s=t.get("solver", 0) or 0,
        work=sum(t.get(k, 0) or 0 for k in ("parse", "reformulation", "solver", "verification")), timing=t)
    return row


def run_pao(python, peers, instance, mip, time_limit):
    out, err, wall, cpu, rc = timed(
        [python, os.path.join(peers, "pao_run.py"), instance, "--api", "mpr", "--mip", mip, "--time-limit", str(time_limit)],
        time_limit * 3 + 60)
    row = {"wall": wall, "cpu": cpu}
    line = next((l for l in reversed(out.strip().splitlines()) if l.startswith("{")), None)
    if line is None:
        row.update(status="killed" if rc == -9 else "error", cert="-", obj=None, note=(err.strip().splitlines() or [""])[-1][:80])
        return row
    d = json.loads(line)
    feasible = d.get("bilevel_feasible")
    row.update(
        status=d.get("status", "?"), obj=d.get("upper_obj"), rows=d.get("milp_rows"), cols=d.get("milp_vars"),
        ints=d.get("milp_int"), cert="bilevel-feasible" if feasible else ("NOT bilevel-feasible" if feasible is False else "-"),
        work=d.get("solve_s"))
    return row


def run_path_based(python, instance, time_limit):
    """The problem-specific path-based MILP (path_based.py, scipy/HiGHS) on a toll instance."""
    out, err, wall, cpu, rc = timed(
        [python, os.path.join(HERE, "path_based.py"), instance, "--time-limit", str(time_limit)], time_limit * 3 + 60)
    row = {"wall": wall, "cpu": cpu}
    line = next((l for l in reversed(out.strip().splitlines()) if l.startswith("{")), None)
    if line is None:
        row.update(status="error", cert="-", obj=None, note=(err.strip().splitlines() or [""])[-1][:80])
        return row
    d = json.loads(line)
    row.update(status="optimal" if "Optimal" in d.get("status", "") else d.get("status", "?"), cert="exact (problem-specific)",
               obj=d.get("optimum"), rows=d.get("milp_rows"), cols=d.get("milp_cols"), ints=d.get("milp_bin"),
               work=(d.get("solve_s") or 0) + (d.get("build_s") or 0))
    return row


def verdict(obj, reference, best_known):
    if obj is None:
        return "-"
    if reference is not None:
        return "ok" if abs(obj - reference) <= 1e-6 * max(1.0, abs(reference)) else "WRONG (ref %g)" % reference
    if best_known is not None:
        return "= best known" if abs(obj - best_known) <= 1e-6 * max(1.0, abs(best_known)) else (
            "better than best known" if obj > best_known else "below best known %g" % best_known)
    return "no reference"


def fmt(v, digits=2):
    return "-" if v is None else ("%.*f" % (digits, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(HERE))
    ap.add_argument("--peers", default=os.path.join(os.path.dirname(root), "shared", "peers"))
    ap.add_argument("--blomodel", default=os.path.join(root, ".build", "release", "blomodel"))
    ap.add_argument("--pao-python", default=None, help="a Python with pyomo and pao (PAO is skipped without it)")
    ap.add_argument("--pao-mip", nargs="*", default=["cbc"], help="MILP solvers PAO runs with (cbc, glpk)")
    ap.add_argument("--time-limit", type=float, default=60)
    ap.add_argument("--only", nargs="*", default=None, help="instance name prefixes (toll_T1, menu, ...)")
    ap.add_argument("--work", default="/tmp/blomodel-ladders")
    ap.add_argument("--json", default=None, help="also write every measurement to this file")
    a = ap.parse_args()

    paths = sorted(glob.glob(os.path.join(a.peers, "instances", "*.json")),
                   key=lambda p: (os.path.basename(p).split("_")[0], int(re.sub(r"\D", "", os.path.basename(p).split("_")[1]) or 0),
                                  os.path.basename(p)))
    if a.only:
        paths = [p for p in paths if any(os.path.basename(p).startswith(o) for o in a.only)]
    if not paths:
        sys.exit("error: no instances under %s/instances" % a.peers)
    if not os.access(a.blomodel, os.X_OK):
        sys.exit("error: %s is not built (swift build -c release --product blomodel)" % a.blomodel)
    os.makedirs(a.work, exist_ok=True)
    pao = a.pao_python
    if pao:
        probe = subprocess.run([pao, "-c", "import pyomo, pao"], capture_output=True) if os.access(pao, os.X_OK) else None
        if probe is None or probe.returncode != 0:
            print("PAO: %s cannot import pyomo and pao: PAO is skipped" % pao)
            pao = None
    # blomodel/auto is the default (--solver auto: the backend by problem class and route).
    systems = ["blomodel/auto", "blomodel/cbc", "blomodel/glpk"] + (["pao/%s" % m for m in a.pao_mip] if pao else [])

    results = []
    for path in paths:
        name = os.path.basename(path)[:-5]
        with open(path) as f:
            inst = json.load(f)
        reference = REFERENCES.get(name, brute_force_reference(inst))
        forms = [("generated", [])] + ([("natural", ["--natural"])] if name.startswith("toll") else [])
        for form, flag in forms:
            blo = os.path.join(a.work, "%s%s.blo" % (name, "" if form == "generated" else "_natural"))
            subprocess.run([sys.executable, os.path.join(HERE, "blp_to_blo.py"), path, "-o", blo] + flag, check=True)
            extra = ["path-based/highs"] if pao and form == "natural" else []
            for system in systems + extra:
                if system.startswith("pao") and form != "generated":
                    continue
                if system == "path-based/highs":
                    r = run_path_based(pao, path, a.time_limit)
                elif system.startswith("blomodel"):
                    r = run_blomodel(a.blomodel, blo, system.split("/")[1], a.time_limit)
                else:
                    r = run_pao(pao, a.peers, path, system.split("/")[1], a.time_limit)
                r.update(instance=name, form=form, system=system, size="%dx+%dy" % (len(inst["x"]), len(inst["y"])),
                         check=verdict(r.get("obj"), reference, BEST_KNOWN.get(name)))
                results.append(r)
                print("  %-13s %-9s %-14s %7.2f s  %s %s" % (name, form, system, r["wall"], r.get("cert", "-"), r["check"]),
                      file=sys.stderr, flush=True)

    header = ("instance", "form", "size", "system", "MILP rows/cols/int", "wall s", "cpu s", "work s", "front %", "status",
              "certification", "objective", "vs reference")
    lines = []
    for r in results:
        milp = "%s/%s/%s" % (r.get("rows", "-"), r.get("cols", "-"), r.get("ints", "-")) if r.get("rows") is not None else "-"
        front = "%.1f" % (100 * r["front"] / r["wall"]) if r.get("front") is not None and r["wall"] > 0 else "-"
        lines.append((r["instance"], r["form"], r["size"], r["system"], milp, fmt(r["wall"]), fmt(r["cpu"]), fmt(r.get("work"), 3), front,
                      r.get("status", "-"), r.get("cert", "-"), fmt(r.get("obj"), 4), r["check"]))
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for l in lines:
        print("  ".join(str(x).ljust(w) for x, w in zip(l, widths)))
    print("\nwall s, cpu s: the whole process (start-up, Python imports included); work s: inside the process"
          "\n(blomodel: parse + reformulation + solver + verification; PAO: its solve call; path-based: path enumeration + HiGHS)."
          "\nfront % = parse + reformulation + verification as a share of blomodel's wall time (process start included)."
          "\nPAO: FA method, big-M 1e5 (its default), certification = the follower re-solved by scipy at PAO's point."
          "\npath-based/highs: Benchmarks/ladders/path_based.py, a problem-specific toll formulation (Labbe, Marcotte, Savard).")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
