#!/usr/bin/env python3
"""Peer baseline: a problem-specific PATH-BASED MILP for the discrete toll-setting ladder (toll_T*).

    python3 Benchmarks/ladders/path_based.py [INSTANCE.json ...] [--peers DIR] [--encoding bits|onehot]
                                             [--time-limit S] [--check]

Without instance arguments it solves every DIR/instances/toll_T*_s*.json (sorted; DIR defaults to
/work/shared/peers) and prints one JSON line per instance:
    {"instance", "optimum", "solve_s" (scipy.optimize.milp only), "build_s" (path enumeration + model
     build), "paths" (candidate paths kept), "status", ...}
plus the size of the MILP, the optimal tolls and "reeval": the revenue of those tolls re-evaluated by
an independent lexicographic Dijkstra (a self-check).  --check also runs gen_toll.brute_force() on
instances with at most --check-max (default 4^4 = 256) toll vectors and reports "brute_force" and "match".
Needs numpy and scipy >= 1.9 (scipy.optimize.milp, HiGHS).  Only instance["meta"] is read.

Problem (Labbe, Marcotte and Savard 1998, discrete tolls)
---------------------------------------------------------
Arcs a = (tail, head, c_a, is_toll); toll arcs A1; commodities k = (o_k, d_k, eta_k).  The leader
picks t_a in toll_levels for each a in A1 (t_a = 0 on the other arcs); every commodity routes all its
demand on a shortest o_k-d_k path w.r.t. c_a + t_a, ties broken optimistically (max revenue); the
leader maximises  sum_k eta_k * t(p_k),  t(p) = sum_{a in p, a in A1} t_a.

Candidate paths P_k and why they suffice (correctness argument)
---------------------------------------------------------------
Let C0_k be the cost of a shortest o_k-d_k path using toll-free arcs only (it exists: the generator's
ring is toll-free and bidirectional).  Enumerate (iterative DFS, pruned by cost-so-far + the
toll-free-agnostic lower bound dist_c(v, d_k) > C0_k) every SIMPLE path p with c(p) <= C0_k.
  (1) All arc costs are > 0 (checked) and tolls are >= 0, so for every toll vector every shortest
      path w.r.t. c + t is simple (a cycle would add positive length).
  (2) For every toll vector the toll-free C0-path is available at length C0_k, so every shortest
      path p satisfies c(p) <= c(p) + t(p) <= C0_k.  Hence the enumeration contains EVERY shortest
      path, in particular the optimistic (max-revenue) one, and the minimum of c + t over P_k equals
      the true shortest distance.  The toll-free C0-path itself is in P_k (c = C0_k).
Two exact reductions, applied afterwards (a path's length and revenue depend only on c(p) and on
its SET S(p) of toll arcs, each used at most once on a simple path):
  (3) among paths with the same S keep one of minimum c: the others are never shortest, and as
      comparators their inequalities are implied by the kept one's;
  (4) drop p' if some kept p has S(p) a proper subset of S(p') and c(p) <= c(p').  Then
      c(p') + t(S') >= c(p) + t(S) for all t >= 0, with equality only if c(p') = c(p) and t = 0 on
      S' minus S, in which case p' and p also have the same revenue: p' is never needed as the
      follower's (optimistic) choice, and its comparator row is implied by p's.  In particular all
      toll-free paths other than one C0-path, and all paths with c = C0_k and tolls, disappear.

MILP (maximise; scipy minimises the negation)
---------------------------------------------
  toll encoding  bits  : t_a = step * sum_l 2^l z_al,  z binary (levels step*0..step*(2^bits-1))
                 onehot: t_a = sum_l level_l z_al, sum_l z_al = 1, z binary (any toll_levels)
  path choice    u_kp binary, sum_{p in P_k} u_kp = 1
  revenue        r_kpa = t_a * u_kp for a in S(p), linearised exactly by McCormick (u binary,
                 0 <= t_a <= T_a = max level):  r <= T_a u,  r <= t_a,  r >= t_a - T_a (1 - u),  r >= 0
  optimality     the chosen path's length L_k = sum_p (c(p) u_kp + sum_{a in S(p)} r_kpa) is exact
                 (a linear expression, no big-M) and must not exceed any candidate's length:
                     L_k <= c(q) + sum_{a in S(q)} t_a        for all q in P_k.
                 (This is the "u_kp = 1 => len(p) <= len(q)" condition of the brief with the big-M
                 removed: L_k equals len(p) for the selected p.)  By (2) the right-hand side's
                 minimum over P_k is the true shortest distance, so u selects a true shortest path.
  objective      max  sum_k eta_k sum_p sum_{a in S(p)} r_kpa
Any feasible (z, u, r) is a toll vector plus one shortest path per commodity with its exact revenue,
so the MILP value is <= the optimistic bilevel optimum; conversely the bilevel optimum's tolls with the
optimistic paths (in P_k by (2), or replaced by an equal-length equal-revenue kept path by (3)-(4)) are
feasible with the same value.  The leader maximising over u among ties is exactly optimistic
tie-breaking.  HiGHS runs with mip_rel_gap 1e-9 (revenues are multiples of step, so this is exact).
"""
import argparse
import glob
import heapq
import json
import os
import sys
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

DEFAULT_PEERS = "/work/shared/peers"


# ------------------------------------------------------------------ graph helpers
def dijkstra(n, adj, src):
    """Plain Dijkstra from src over adj[u] = [(v, w), ...]; returns a list of distances (inf if unreachable)."""
    dist = [float("inf")] * n
    dist[src] = 0.0
    pq = [(0.0, src)]
    while pq:
        du, u = heapq.heappop(pq)
        if du > dist[u]:
            continue
        for v, w in adj[u]:
            if du + w < dist[v]:
                dist[v] = du + w
                heapq.heappush(pq, (du + w, v))
    return dist


def candidate_paths(n, arcs, o, d, eps=1e-9):
    """Simple o-d paths with c(p) <= C0 (C0: toll-free shortest distance), reduced by (3) and (4).

    Returns (C0, [(cost, frozenset of toll arc indices), ...], number of paths enumerated before reduction).
    Iterative DFS: the stack holds (node, index of the next out-arc to try); cost pruning uses the exact
    remaining distance to d in the full network (costs c only), a valid lower bound for any completion
    (ignoring simplicity only makes it weaker, never invalid).
    """
    out_all = [[] for _ in range(n)]
    out_free = [[] for _ in range(n)]
    rev_all = [[] for _ in range(n)]
    for a, (u, v, c, is_toll) in enumerate(arcs):
        out_all[u].append((a, v, float(c)))
        rev_all[v].append((u, float(c)))
        if not is_toll:
            out_free[u].append((v, float(c)))
    C0 = dijkstra(n, out_free, o)[d]
    if C0 == float("inf"):
        raise ValueError("no toll-free path %d -> %d: revenue unbounded, the formulation needs one" % (o, d))
    to_d = dijkstra(n, rev_all, d)  # to_d[v] = shortest c-distance v -> d

    best_by_set = {}  # frozenset(toll arcs) -> min cost         (reduction (3))
    enumerated = 0
    on_path = [False] * n
    on_path[o] = True
    path_arcs = []  # arc indices of the current partial path
    cost = 0.0
    stack = [(o, 0)]
    while stack:
        u, i = stack[-1]
        if u == d:  # complete path (d is never extended: a simple path ends at its first visit of d)
            enumerated += 1
            s = frozenset(a for a in path_arcs if arcs[a][3])
            if s not in best_by_set or cost < best_by_set[s]:
                best_by_set[s] = cost
            i = len(out_all[u])  # fall through to backtrack
        if i < len(out_all[u]):
            stack[-1] = (u, i + 1)
            a, v, c = out_all[u][i]
            if not on_path[v] and cost + c + to_d[v] <= C0 + eps:
                on_path[v] = True
                path_arcs.append(a)
                cost += c
                stack.append((v, 0))
            continue
        # backtrack
        stack.pop()
        if stack:
            on_path[u] = False
            a = path_arcs.pop()
            cost -= float(arcs[a][2])
    # reduction (4): drop p' if a kept p has S(p) a proper subset of S(p') and c(p) <= c(p')
    items = sorted(best_by_set.items(), key=lambda kv: (len(kv[0]), kv[1]))
    kept = []
    for s, c in items:
        if any(ks < s and kc <= c + eps for ks, kc in kept):
            continue
        kept.append((s, c))
    assert any(len(s) == 0 for s, _ in kept), "the toll-free C0 path must be kept"
    return C0, [(c, s) for s, c in kept], enumerated


def lex_revenue(n, arcs, tolls, o, d):
    """Independent re-evaluation: Dijkstra on (length, -revenue) -> (length, revenue) of the optimistic path."""
    adj = [[] for _ in range(n)]
    for a, (u, v, c, _) in enumerate(arcs):
        t = tolls.get(a, 0.0)
        adj[u].append((v, c + t, -t))
    best = {o: (0.0, 0.0)}
    pq = [(0.0, 0.0, o)]
    done = set()
    while pq:
        L, r, u = heapq.heappop(pq)
        if u in done:
            continue
        done.add(u)
        if u == d:
            return L, -r
        for v, w, dr in adj[u]:
            cand = (L + w, r + dr)
            if v not in best or cand < best[v]:
                best[v] = cand
                heapq.heappush(pq, (cand[0], cand[1], v))
    return None


# ------------------------------------------------------------------ model
class Model:
    """Tiny sparse-row builder for scipy.optimize.milp."""

    def __init__(self):
        self.lb, self.ub, self.integ, self.obj = [], [], [], []
        self.rows, self.cols, self.vals, self.rlo, self.rhi = [], [], [], [], []

    def var(self, lb, ub, integer=False, obj=0.0):
        self.lb.append(lb)
        self.ub.append(ub)
        self.integ.append(1 if integer else 0)
        self.obj.append(obj)
        return len(self.lb) - 1

    def row(self, terms, lo, hi):
        r = len(self.rlo)
        for j, v in terms:
            self.rows.append(r)
            self.cols.append(j)
            self.vals.append(float(v))
        self.rlo.append(lo)
        self.rhi.append(hi)

    def solve(self, time_limit=None):
        A = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.rlo), len(self.lb))).tocsr()
        opts = {"mip_rel_gap": 1e-9}
        if time_limit is not None:
            opts["time_limit"] = float(time_limit)
        t0 = time.perf_counter()
        res = milp(c=np.array(self.obj), integrality=np.array(self.integ),
                   bounds=Bounds(np.array(self.lb, dtype=float), np.array(self.ub, dtype=float)),
                   constraints=[LinearConstraint(A, np.array(self.rlo, dtype=float), np.array(self.rhi, dtype=float))],
                   options=opts)
        return res, time.perf_counter() - t0


def build(meta, encoding):
    n, arcs, ods, A1 = meta["nodes"], meta["arcs"], meta["od"], meta["toll_arcs"]
    levels = [float(x) for x in meta["toll_levels"]]
    step, bits = float(meta["step"]), int(meta["bits"])
    if any(float(c) <= 0 for _, _, c, _ in arcs):
        raise ValueError("arc costs must be > 0 (argument (1) of the header)")
    if min(levels) < 0:
        raise ValueError("toll levels must be >= 0")
    if encoding == "bits" and levels != [step * i for i in range(2 ** bits)]:
        encoding = "onehot"  # bits only encode step*0 .. step*(2^bits-1)
    T = max(levels)
    m = Model()
    inf = np.inf

    # tolls: t_a as a linear expression in binaries (list of (var, coef))
    texpr, zvars = {}, {}
    for a in A1:
        if encoding == "bits":
            zs = [m.var(0, 1, True) for _ in range(bits)]
            texpr[a] = [(z, step * 2 ** l) for l, z in enumerate(zs)]
        else:
            zs = [m.var(0, 1, True) for _ in levels]
            m.row([(z, 1) for z in zs], 1, 1)
            texpr[a] = [(z, lv) for z, lv in zip(zs, levels) if lv != 0]
        zvars[a] = zs

    n_paths = n_enum = 0
    for (o, d, eta) in ods:
        C0, paths, enumerated = candidate_paths(n, arcs, o, d)
        n_paths += len(paths)
        n_enum += enumerated
        u = [m.var(0, 1, True) for _ in paths]
        m.row([(x, 1) for x in u], 1, 1)  # one path per commodity
        length = []  # L_k = sum_p c(p) u_p + sum_{p, a in S(p)} r_pa
        for (c, s), up in zip(paths, u):
            length.append((up, c))
            for a in sorted(s):
                r = m.var(0, T, False, obj=-float(eta))  # maximise eta * r  (milp minimises)
                length.append((r, 1))
                m.row([(r, 1), (up, -T)], -inf, 0)  # r <= T u
                m.row([(r, 1)] + [(z, -cf) for z, cf in texpr[a]], -inf, 0)  # r <= t_a
                m.row([(r, 1), (up, -T)] + [(z, -cf) for z, cf in texpr[a]], -T, inf)  # r >= t_a - T(1-u)
        for (c, s) in paths:  # L_k <= c(q) + t(q) for every candidate q
            m.row(length + [(z, -cf) for a in sorted(s) for z, cf in texpr[a]], -inf, c)
    return m, zvars, texpr, n_paths, n_enum, encoding


def solve_instance(path, encoding, time_limit, check, check_max, peers):
    inst = json.load(open(path))
    meta = inst["meta"]
    name = os.path.splitext(os.path.basename(path))[0]
    t0 = time.perf_counter()
    m, zvars, texpr, n_paths, n_enum, used_enc = build(meta, encoding)
    build_s = time.perf_counter() - t0
    res, solve_s = m.solve(time_limit)
    out = {"instance": name, "optimum": None, "solve_s": round(solve_s, 4), "build_s": round(build_s, 4),
           "paths": n_paths, "paths_enumerated": n_enum, "status": res.message, "encoding": used_enc,
           "milp_rows": len(m.rlo), "milp_cols": len(m.lb), "milp_bin": sum(m.integ)}
    if res.x is not None:
        out["optimum"] = round(-res.fun, 4) + 0.0  # (+0.0: no "-0.0") HiGHS' value; revenues are multiples of step, 1e-4 hides ~1e-6 noise
        # tolls from the ROUNDED binaries, re-evaluated independently (exact check of the optimum)
        tolls = {a: sum(round(res.x[z]) * cf for z, cf in texpr[a]) for a in meta["toll_arcs"]}
        out["tolls"] = {str(a): t for a, t in tolls.items()}
        out["reeval"] = sum(eta * lex_revenue(meta["nodes"], meta["arcs"], tolls, o, d)[1] for o, d, eta in meta["od"])
    if check:
        combos = len(meta["toll_levels"]) ** len(meta["toll_arcs"])
        if combos <= check_max:
            sys.path.insert(0, peers)
            import gen_toll
            bf = gen_toll.brute_force(inst)["brute_force_revenue"]
            out["brute_force"] = bf
            out["match"] = out["optimum"] is not None and abs(out["optimum"] - bf) <= 1e-6 * max(1.0, abs(bf))
        else:
            out["brute_force"] = "skipped (%d toll vectors)" % combos
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="*", help="blp-json/1 toll instances (default: PEERS/instances/toll_T*_s*.json)")
    ap.add_argument("--peers", default=DEFAULT_PEERS, help="peers folder (instances/, gen_toll.py)")
    ap.add_argument("--encoding", choices=["bits", "onehot"], default="bits", help="toll variables (default bits)")
    ap.add_argument("--time-limit", type=float, default=None, help="HiGHS time limit in seconds")
    ap.add_argument("--check", action="store_true", help="compare with gen_toll.brute_force() (<= --check-max toll vectors)")
    ap.add_argument("--check-max", type=int, default=4 ** 4, help="largest number of toll vectors to brute-force (256)")
    a = ap.parse_args()
    files = a.instances or sorted(glob.glob(os.path.join(a.peers, "instances", "toll_T*_s*.json")))
    if not files:
        raise SystemExit("no instances found")
    for f in files:
        print(json.dumps(solve_instance(f, a.encoding, a.time_limit, a.check, a.check_max, a.peers)), flush=True)


if __name__ == "__main__":
    main()
