"""Regenerates diabetes.csv from scikit-learn's bundled copy (run once; not in any solve path).

    pip download scikit-learn==1.3.2 --no-deps -d /tmp/skl
    python3 make_data.py /tmp/skl/scikit_learn-1.3.2-*.whl
"""
import gzip
import io
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
def read(name):
    return gzip.open(io.BytesIO(wheel.read("sklearn/datasets/data/" + name)), "rt").read().strip().split("\n")
features = [line.split() for line in read("diabetes_data_raw.csv.gz")]
target = [float(line) for line in read("diabetes_target.csv.gz")]
assert len(features) == len(target) == 442
with open("diabetes.csv", "w") as out:
    out.write("age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression\n")
    for row, y in zip(features, target):
        out.write(",".join(row) + "," + ("%g" % y) + "\n")
