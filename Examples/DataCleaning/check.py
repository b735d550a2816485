"""An independent check of DataCleaningExample's set-up, in NumPy (not in any solve path).

Repeats the split, the standardisation and the seeded label flips of main.swift, fits the
ridge logistic regression to the corrupted training labels with all weights 1 and to the clean
labels by Newton's method, and prints the test accuracies and validation losses that the
example's "as-is (w = 1)" and "clean labels" lines must show.

    python3 Examples/DataCleaning/check.py [--small]
"""
import os
import sys

import numpy as np

small = "--small" in sys.argv
data = np.loadtxt(os.path.join(os.path.dirname(__file__), "data", "breast_cancer.csv"), delimiter=",", skiprows=1)
assert data.shape == (569, 31)
rows = data[::4] if small else data
r = np.arange(len(rows))
train, valid, test = rows[r % 2 == 0], rows[r % 4 == 1], rows[r % 4 == 3]
d, n = 30, len(train)
mean, sd = train[:, :d].mean(0), train[:, :d].std(0)
X = lambda a: np.hstack([(a[:, :d] - mean) / sd, np.ones((len(a), 1))])
Y = lambda a: np.where(a[:, d] == 1, 1.0, -1.0)
xt, xv, xs = X(train), X(valid), X(test)
clean, yv, ys = Y(train), Y(valid), Y(test)

# The generator of main.swift: state = state * 6364136223846793005 + 1442695040888963407 mod 2^64, output state >> 11.
state, MASK = 2017, (1 << 64) - 1
def below(k):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) & MASK
    return (state >> 11) % k
order = list(range(n))
count = int(np.floor(0.3 * n + 0.5))
for i in range(count):
    j = i + below(n - i)
    order[i], order[j] = order[j], order[i]
flipped = np.zeros(n, bool)
flipped[order[:count]] = True
yt = np.where(flipped, -clean, clean)

ridge = 0.01
def fit(y):
    p = np.zeros(d + 1)
    for _ in range(100):
        z = y * (xt @ p)
        s = 1 / (1 + np.exp(z))  # sigmoid(-z)
        g = -(xt.T @ (y * s)) / n + ridge * p
        if np.abs(g).max() < 1e-14:
            break
        h = (xt.T * (s * (1 - s))) @ xt / n + ridge * np.eye(d + 1)
        p = p - np.linalg.solve(h, g)  # full Newton steps: the objective is smooth and strongly convex
    return p
def report(name, p):
    acc = np.mean(np.sign(xs @ p) == ys)
    loss = np.mean(np.logaddexp(0, -yv * (xv @ p)))
    print(f"{name}: test accuracy {acc:.4f}, validation loss {loss:.6f}")
print(f"{n} training rows, {count} flipped; {len(xv)} validation, {len(xs)} test")
report("as-is (w = 1)", fit(yt))
report("clean labels", fit(clean))
