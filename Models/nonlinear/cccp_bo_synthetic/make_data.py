"""Data for the CCCP-BO synthetic problem (Shen et al., seed 002, section 5).

c, d in R^10 and A = B B' with B a 10 x 9 matrix: positive semidefinite but singular, as
the paper asks ("positive semi-definite but not positive-definite"). Deterministic: a fixed
seed; B has two decimals, so A = B B' has exactly four and is written without rounding
(rounding A would make it nonsingular).
Run: python3 make_data.py (writes vectors.csv and A.csv beside this file).
"""
import random

random.seed(2024)
n, r = 10, 9
c = [round(random.uniform(-1, 1), 4) for _ in range(n)]
d = [round(random.uniform(-1, 1), 4) for _ in range(n)]
B = [[round(random.uniform(-1, 1), 2) for _ in range(r)] for _ in range(n)]
# Integer arithmetic in hundredths keeps A exact: A[i][j] = sum_k B[i][k] B[j][k].
Bi = [[round(v * 100) for v in row] for row in B]
A = [[sum(Bi[i][k] * Bi[j][k] for k in range(r)) / 10000 for j in range(n)] for i in range(n)]
with open("vectors.csv", "w") as f:
    f.write("i,c,d\n")
    for i in range(n):
        f.write(f"{i + 1},{c[i]},{d[i]}\n")
with open("A.csv", "w") as f:
    f.write("i,j,a\n")
    for i in range(n):
        for j in range(n):
            f.write(f"{i + 1},{j + 1},{A[i][j]}\n")
