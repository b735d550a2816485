"""Regenerates breast_cancer.csv from scikit-learn's bundled copy (run once; not in any solve path).

    pip download scikit-learn==1.3.2 --no-deps -d /tmp/skl
    python3 make_data.py /tmp/skl/scikit_learn-1.3.2-*.whl

scikit-learn's file starts with a line "569,30,malignant,benign" (rows, features, class names)
and codes the class as 0 = malignant, 1 = benign; the column names are those of its
description (breast_cancer.rst), shortened to identifiers.
"""
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
lines = wheel.read("sklearn/datasets/data/breast_cancer.csv").decode().strip().split("\n")
assert lines[0].startswith("569,30,malignant,benign")
rows = [line.split(",") for line in lines[1:]]
assert len(rows) == 569 and all(len(r) == 31 for r in rows)
labels = [r[30] for r in rows]
assert labels.count("0") == 212 and labels.count("1") == 357  # 212 malignant, 357 benign
assert rows[0][:4] == ["17.99", "10.38", "122.8", "1001"]  # the first patient's mean radius, texture, perimeter, area
base = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
        "concave_points", "symmetry", "fractal_dimension"]
names = ["mean_" + b for b in base] + [b + "_se" for b in base] + ["worst_" + b for b in base]
with open("breast_cancer.csv", "w") as out:
    out.write(",".join(names) + ",benign\n")
    for r in rows:
        out.write(",".join(r) + "\n")
