#!/usr/bin/env python3
"""Converts the peers' ladder instances (format blp-json/1, ../shared/peers/README.md) into .blo.

    python3 blp_to_blo.py INSTANCE.json [-o OUT.blo]              # the instance as generated
    python3 blp_to_blo.py INSTANCE.json --natural [-o OUT.blo]    # toll only: written naturally

As generated: every variable and row of the JSON, one declaration each, under its own name
(leader variables in `upper`, follower variables in `lower`; `bilinear` terms as products).
The leader's optimum and the follower's optimal set are those of the JSON instance.

--natural (discrete toll setting, from the generator's `meta`): what a modeller writes, with
sets and data tables: an integer toll t[i,j] in 0..2^bits-1 (in units of `step`) on every
tolled arc, the revenue sum step*t*x as a leader x follower product in both objectives, node
balance rows without the destination's row. The same bilevel problem as the toll bits of the
JSON (the levels step*0 .. step*(2^bits-1)), so the same optimum.

Data preparation only (the project's product never runs Python on a solve path).
"""
import argparse
import json
import math
import re
import sys

INF = float("inf")


def num(v):
    """A number as .blo writes it: integers without a point, others with repr's digits."""
    v = float(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def value(v, default):
    if v is None:
        return default
    if isinstance(v, str):
        s = v.strip().lower()
        if s in ("inf", "+inf", "infinity"):
            return INF
        if s in ("-inf", "-infinity"):
            return -INF
        return float(s)
    return float(v)


RESERVED = {"set", "param", "var", "upper", "lower", "minimize", "maximize", "sum", "in", "integer",
            "binary", "default", "csv", "dualbound", "and", "or", "not", "dual", "if", "then", "else"}


def ident(name, used):
    s = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not s or s[0].isdigit():
        s = "v_" + s
    if s in RESERVED:
        s = s + "_"
    base, n = s, 1
    while s in used:
        n += 1
        s = "%s_%d" % (base, n)
    used.add(s)
    return s


def linear(terms):
    """terms: [(coef, text)] -> 'a*x + b*y - c*z' (zero coefficients dropped)."""
    out = []
    for c, t in terms:
        if c == 0:
            continue
        mag = abs(c)
        body = t if mag == 1 else "%s*%s" % (num(mag), t)
        if not out:
            out.append(("-" if c < 0 else "") + body)
        else:
            out.append((" - " if c < 0 else " + ") + body)
    return "".join(out) if out else "0"


def as_generated(inst):
    xs, ys = inst["x"], inst["y"]
    U, L = inst["upper"], inst["lower"]
    used = set(RESERVED)
    xn = [ident(v.get("name", "x%d" % i), used) for i, v in enumerate(xs)]
    yn = [ident(v.get("name", "y%d" % j), used) for j, v in enumerate(ys)]

    def var_decl(name, v, leader):
        lb = value(v.get("lb"), -INF) if "lb" in v else 0.0
        ub = value(v.get("ub"), INF)
        kind = v.get("type", "C")
        if kind == "B":
            return "  var %s binary;" % name
        parts = []
        if lb > -INF:
            parts.append(">= %s" % num(lb))
        if ub < INF:
            parts.append("<= %s" % num(ub))
        text = "  var %s" % name + ((" " + ", ".join(parts)) if parts else "")
        if kind == "I":
            text += " integer"
        return text + ";"

    def objective(lev, cx_key, cy_key):
        terms = [(c, xn[i]) for i, c in enumerate(lev.get(cx_key, [])) if c]
        terms += [(c, yn[j]) for j, c in enumerate(lev.get(cy_key, [])) if c]
        terms += [(c, "%s*%s" % (xn[i], yn[j])) for c, i, j in lev.get("bilinear", [])]
        e = linear(terms)
        const = float(lev.get("const", 0) or 0)
        if const:
            e += (" + " if const > 0 else " - ") + num(abs(const))
        return e

    def rows(lev, prefix):
        out = []
        for r, row in enumerate(lev.get("cons", [])):
            name = ident(row.get("name", "%s%d" % (prefix, r)), used)
            terms = [(c, xn[i]) for i, c in row.get("x", [])] + [(c, yn[j]) for j, c in row.get("y", [])]
            sense = {"<=": "<=", ">=": ">=", "==": "="}[row.get("sense", "<=")]
            out.append("  %s: %s %s %s;" % (name, linear(terms), sense, num(row["rhs"])))
        return out

    lines = ["# %s (blp-json/1, converted by Benchmarks/ladders/blp_to_blo.py: as generated)" % inst.get("name", "")]
    lines.append("upper {")
    lines += [var_decl(xn[i], v, True) for i, v in enumerate(xs)]
    lines.append("  %s obj_upper: %s;" % ("maximize" if U.get("sense", "min") == "max" else "minimize",
                                          objective(U, "c_x", "c_y")))
    lines += rows(U, "u")
    lines.append("}")
    lines.append("lower {")
    lines += [var_decl(yn[j], v, False) for j, v in enumerate(ys)]
    lines.append("  %s obj_lower: %s;" % ("maximize" if L.get("sense", "min") == "max" else "minimize",
                                          objective(L, "d_x", "d_y")))
    lines += rows(L, "l")
    lines.append("}")
    return "\n".join(lines) + "\n"


def natural_toll(inst):
    m = inst["meta"]
    if m.get("family") != "toll":
        raise SystemExit("error: --natural applies to the toll family only")
    arcs, ods, tolled = m["arcs"], m["od"], set(m["toll_arcs"])
    step, levels = float(m["step"]), 2 ** int(m["bits"])
    pair = lambda a: "(%d,%d)" % (arcs[a][0], arcs[a][1])
    L = []
    L.append("# %s: discrete toll setting (Labbe, Marcotte and Savard 1998), written naturally" % inst.get("name", ""))
    L.append("# from the generator's data (Benchmarks/ladders/blp_to_blo.py --natural): an integer toll")
    L.append("# t[i,j] in 0..%d, in units of %s, on each tolled arc; the revenue is a leader x follower" % (levels - 1, num(step)))
    L.append("# product in both objectives.")
    L.append("set NODES = 0..%d;" % (m["nodes"] - 1))
    L.append("set ARCS = {%s};" % ", ".join(pair(a) for a in range(len(arcs))))
    L.append("set TOLLED = {%s};" % ", ".join(pair(a) for a in range(len(arcs)) if a in tolled))
    L.append("param cost{ARCS} = [%s];" % ", ".join("%s: %s" % (pair(a), num(arcs[a][2])) for a in range(len(arcs))))
    L.append("set K = 1..%d;" % len(ods))
    L.append("param origin{K} = [%s];" % ", ".join("%d: %d" % (k + 1, o) for k, (o, d, e) in enumerate(ods)))
    L.append("param destination{K} = [%s];" % ", ".join("%d: %d" % (k + 1, d) for k, (o, d, e) in enumerate(ods)))
    L.append("param demand{K} = [%s];" % ", ".join("%d: %s" % (k + 1, num(e)) for k, (o, d, e) in enumerate(ods)))
    L.append("param step = %s;" % num(step))
    L.append("")
    L.append("upper {")
    L.append("  var t{TOLLED} >= 0, <= %d integer;" % (levels - 1))
    L.append("  maximize revenue: sum{k in K, (i,j) in TOLLED} step * t[i,j] * x[k,i,j];")
    L.append("}")
    L.append("")
    L.append("lower {")
    L.append("  var x{K, ARCS} >= 0;")
    L.append("  minimize travel_cost: sum{k in K, (i,j) in ARCS} cost[i,j] * x[k,i,j]")
    L.append("                      + sum{k in K, (i,j) in TOLLED} step * t[i,j] * x[k,i,j];")
    L.append("  balance{k in K, n in NODES: n != destination[k]}:")
    L.append("      sum{(i,j) in ARCS: i == n} x[k,i,j] - sum{(i,j) in ARCS: j == n} x[k,i,j]")
    L.append("    = if n == origin[k] then demand[k] else 0;")
    L.append("}")
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance")
    ap.add_argument("--natural", action="store_true", help="toll only: integer tolls, sets and data tables")
    ap.add_argument("-o", "--out", default="-")
    a = ap.parse_args()
    with open(a.instance) as f:
        inst = json.load(f)
    if inst.get("format", "blp-json/1") != "blp-json/1":
        raise SystemExit("error: %s: unknown format %r" % (a.instance, inst.get("format")))
    text = natural_toll(inst) if a.natural else as_generated(inst)
    if a.out == "-":
        sys.stdout.write(text)
    else:
        with open(a.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
