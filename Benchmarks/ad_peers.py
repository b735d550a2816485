"""Peers for `blomodel-bench --ad DIR`: the same computations in PyTorch (autograd) and NumPy
(hand-written derivatives), on the same data, with the same timing rule (median of repeated
runs after one warm-up). Python is used here for peer comparisons only.

    python3 Benchmarks/ad_peers.py DIR [REPEATS]

DIR holds logistic.csv (written by the Swift benchmark) and hypergradient_swift.txt (to check
that both compute the same hypergradient). A is rebuilt from its formula.
"""
import sys
import time

import numpy as np

directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/blomodel-ad-bench"
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 50


def median_ms(body):
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2]


n = 1000
i = np.arange(n)
A = 1.0 / (1.0 + np.abs(i[:, None] - i[None, :])) + np.eye(n)
x = np.sin(np.arange(n, dtype=float))
y = np.cos(np.arange(n, dtype=float))
direction = np.sin(0.5 * np.arange(2 * n, dtype=float))
mu = 0.1
target = np.cos(0.3 * np.arange(n, dtype=float))

data = np.loadtxt(directory + "/logistic.csv", delimiter=",", skiprows=1)
labels, features = data[:, 0], data[:, 1:]
m, d = features.shape
lam = 1e-2
w = 0.1 * np.sin(np.arange(d, dtype=float))
v = np.cos(np.arange(d, dtype=float))

rows = []

# NumPy with hand-written derivatives (no automatic differentiation): a floor for the kernels.
# Run before PyTorch is imported: its OpenMP threads spin after each call and would slow NumPy's.
def np_q_gradient():
    return -y, A @ y - x


def np_q_hvp():
    return -direction[n:], A @ direction[n:] - direction[:n]


def np_l_gradient():
    t = -labels * (features @ w)
    s = 1 / (1 + np.exp(-t))
    return features.T @ (-labels * s) / m + lam * w


def np_l_hvp():
    t = -labels * (features @ w)
    s = 1 / (1 + np.exp(-t))
    return features.T @ (s * (1 - s) * (features @ v)) / m + lam * v


ystar_np = np.linalg.solve(A, x)


def np_hypergradient_cg():
    b = ystar_np - target
    z = np.zeros(n)
    r = b.copy()
    dd = b.copy()
    rr = r @ r
    stop = 1e-20 * rr
    k = 0
    while rr > stop and k < 200:
        ad = A @ dd
        alpha = rr / (dd @ ad)
        z += alpha * dd
        r -= alpha * ad
        nxt = r @ r
        dd = r + nxt / rr * dd
        rr = nxt
        k += 1
    return mu * x + z


def np_hypergradient_exact():
    return mu * x + np.linalg.solve(A, ystar_np - target)


tag = f"numpy {np.__version__} (by hand)"
rows += [
    ("hypergradient by CG", tag, median_ms(np_hypergradient_cg)),
    ("hypergradient, exact (linalg.solve)", tag, median_ms(np_hypergradient_exact)),
    ("1/2 y'Ay - x'y: gradient", tag, median_ms(np_q_gradient)),
    ("1/2 y'Ay - x'y: Hessian-vector product", tag, median_ms(np_q_hvp)),
    ("logistic loss: gradient", tag, median_ms(np_l_gradient)),
    ("logistic loss: Hessian-vector product", tag, median_ms(np_l_hvp)),
]


try:
    import torch

    torch.set_default_dtype(torch.float64)
    At = torch.tensor(A)
    xt, yt = torch.tensor(x), torch.tensor(y)
    dx, dy = torch.tensor(direction[:n]), torch.tensor(direction[n:])

    def quadratic(x, y):
        return 0.5 * y @ (At @ y) - x @ y

    def q_gradient():
        xx = xt.clone().requires_grad_(True)
        yy = yt.clone().requires_grad_(True)
        return torch.autograd.grad(quadratic(xx, yy), (xx, yy))

    def q_hvp():
        xx = xt.clone().requires_grad_(True)
        yy = yt.clone().requires_grad_(True)
        gx, gy = torch.autograd.grad(quadratic(xx, yy), (xx, yy), create_graph=True)
        return torch.autograd.grad(gx @ dx + gy @ dy, (xx, yy))

    # Hypergradient: follower y solves A y = x; p solves A p = y - t by CG on autograd HVPs.
    ystar = torch.linalg.solve(At, xt)

    def follower_hvp(xx, yy, gy, p):
        return torch.autograd.grad(gy, (xx, yy), grad_outputs=p, retain_graph=True)

    iterations = [0]

    def hypergradient():
        xx = xt.clone().requires_grad_(True)
        yy = ystar.clone().requires_grad_(True)
        gy = torch.autograd.grad(quadratic(xx, yy), yy, create_graph=True)[0]
        b = (ystar - torch.tensor(target))
        z = torch.zeros(n)
        r = b.clone()
        dd = b.clone()
        rr = r @ r
        stop = 1e-20 * rr
        k = 0
        while rr > stop and k < 200:
            _, ad = follower_hvp(xx, yy, gy, dd)
            alpha = rr / (dd @ ad)
            z += alpha * dd
            r -= alpha * ad
            nxt = r @ r
            dd = r + nxt / rr * dd
            rr = nxt
            k += 1
        iterations[0] = k
        xy, _ = follower_hvp(xx, yy, gy, z)
        return mu * xt - xy

    def hypergradient_exact():
        b = ystar - torch.tensor(target)
        return mu * xt + torch.linalg.solve(At, b)

    # Iterative differentiation: T = 100 gradient steps of the follower from y* (the follower's
    # answer, as blomodel's bench warm-starts it), step 1/L, differentiated by reverse mode.
    lipschitz = float(torch.linalg.eigvalsh(At)[-1])
    tt = torch.tensor(target)

    def hypergradient_unrolled():
        xx = xt.clone().requires_grad_(True)
        yy = ystar.clone()
        for _ in range(100):
            yy = yy - (At @ yy - xx) / lipschitz
        upper = 0.5 * mu * (xx @ xx) + 0.5 * ((yy - tt) @ (yy - tt))
        return torch.autograd.grad(upper, xx)[0]

    labels_t, features_t = torch.tensor(labels), torch.tensor(features)
    wt, vt = torch.tensor(w), torch.tensor(v)

    def logistic(w):
        return torch.nn.functional.softplus(-labels_t * (features_t @ w)).mean() + lam / 2 * (w @ w)

    def l_gradient():
        ww = wt.clone().requires_grad_(True)
        return torch.autograd.grad(logistic(ww), ww)

    def l_hvp():
        ww = wt.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(logistic(ww), ww, create_graph=True)
        return torch.autograd.grad(g @ vt, ww)

    tag = f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    rows += [
        ("1/2 y'Ay - x'y: gradient", tag, median_ms(q_gradient)),
        ("1/2 y'Ay - x'y: Hessian-vector product", tag, median_ms(q_hvp)),
        (f"hypergradient by CG", tag, median_ms(hypergradient)),
        ("hypergradient, exact (linalg.solve)", tag, median_ms(hypergradient_exact)),
        ("hypergradient, unrolled T = 100", tag, median_ms(hypergradient_unrolled)),
        ("logistic loss: gradient", tag, median_ms(l_gradient)),
        ("logistic loss: Hessian-vector product", tag, median_ms(l_hvp)),
    ]
    h = hypergradient().numpy()
    print(f"torch CG iterations: {iterations[0]}")
    try:
        swift = np.loadtxt(directory + "/hypergradient_swift.txt")
        print(f"max |hypergradient(torch) - hypergradient(swift)| = {np.max(np.abs(h - swift)):.3e}")
    except OSError:
        pass
    print(f"torch check values: quadratic gradient[0] {q_gradient()[0][0].item():.12g}, "
          f"logistic value {logistic(wt).item():.12g}, logistic gradient[0] {l_gradient()[0][0].item():.12g}")
except ImportError:
    print("PyTorch is not installed; NumPy rows only. Quoted (not measured) PyTorch figures from the issue: "
          "about 7 ms for an exact hypergradient of a 1000-dimensional quadratic bilevel problem, "
          "about 11 ms with conjugate gradients.")


try:
    import jax
    import jax.numpy as jnp
    from jax.scipy.sparse.linalg import cg as jax_cg

    jax.config.update("jax_enable_x64", True)
    Aj, xj, tj = jnp.asarray(A), jnp.asarray(x), jnp.asarray(target)
    ystar_j = jnp.linalg.solve(Aj, xj)
    lipschitz_j = float(jnp.linalg.eigvalsh(Aj)[-1])

    def follower_j(xx, yy):
        return 0.5 * yy @ (Aj @ yy) - xx @ yy

    def upper_j(xx, yy):
        return 0.5 * mu * (xx @ xx) + 0.5 * ((yy - tj) @ (yy - tj))

    @jax.jit
    def jax_exact(xx):
        return mu * xx + jnp.linalg.solve(Aj, ystar_j - tj)

    @jax.jit
    def jax_cg_hypergradient(xx):
        # H_yy p = grad_y F by CG on Hessian-vector products, then grad_x F - H_xy p.
        hvp = lambda v: jax.jvp(lambda yy: jax.grad(follower_j, argnums=1)(xx, yy), (ystar_j,), (v,))[1]
        p, _ = jax_cg(hvp, ystar_j - tj, tol=1e-10, maxiter=200)
        mixed = jax.grad(lambda xx2: jax.grad(follower_j, argnums=1)(xx2, ystar_j) @ p)(xx)
        return mu * xx - mixed

    @jax.jit
    def jax_unrolled(xx):
        def phi(xx):
            yy = jax.lax.fori_loop(0, 100, lambda _, yy: yy - (Aj @ yy - xx) / lipschitz_j, ystar_j)
            return upper_j(xx, yy)
        return jax.grad(phi)(xx)

    jtag = f"jax {jax.__version__} (jit, CPU)"
    rows += [
        ("hypergradient by CG", jtag, median_ms(lambda: jax_cg_hypergradient(xj).block_until_ready())),
        ("hypergradient, exact (linalg.solve)", jtag, median_ms(lambda: jax_exact(xj).block_until_ready())),
        ("hypergradient, unrolled T = 100", jtag, median_ms(lambda: jax_unrolled(xj).block_until_ready())),
    ]
    try:
        swift = np.loadtxt(directory + "/hypergradient_swift.txt")
        print(f"max |hypergradient(jax CG) - hypergradient(swift)| = {np.max(np.abs(np.asarray(jax_cg_hypergradient(xj)) - swift)):.3e}")
    except OSError:
        pass
except ImportError:
    print("JAX is not installed; no JAX rows.")


print(f"peers (median of {repeats} runs after one warm-up)")
print(f"{'computation':>40} {'peer':>34} {'median ms':>10}")
for name, peer, ms in rows:
    print(f"{name:>40} {peer:>34} {ms:10.3f}")
