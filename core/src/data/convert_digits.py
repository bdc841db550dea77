#!/usr/bin/env python3
"""Convert ../shared/data/digits.csv.gz (scikit-learn's copy of the UCI 8x8 digits) into
digits.bin, the compact file `entropic::data::digits` embeds.

Format of digits.bin: 1797 records of 65 bytes, in the CSV's row order: 64 pixel counts (0..16,
row-major 8x8) followed by the label (0..9). Run from the repository root:

    python3 core/src/data/convert_digits.py ../shared/data/digits.csv.gz core/src/data/digits.bin
"""
import gzip
import sys

src, dst = sys.argv[1], sys.argv[2]
out = bytearray()
with gzip.open(src, "rt") as f:
    for line in f:
        values = [int(float(v)) for v in line.strip().split(",")]
        assert len(values) == 65 and all(0 <= v <= 16 for v in values[:64]) and 0 <= values[64] <= 9
        out.extend(values)
assert len(out) == 1797 * 65, len(out)
with open(dst, "wb") as f:
    f.write(out)
print(f"wrote {dst}: {len(out)} bytes")
