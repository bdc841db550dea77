#!/usr/bin/env python3
"""Convert the MNIST test set in ../shared/data/mnist/ into mnist012.bin, the binarised digits 0, 1
and 2 that `entropic::data::MNIST012` embeds (the latent-cycle paper's dataset).

Selection: in test-set order, the first 980 images of each of the digits 0, 1 and 2 (2940 images,
balanced; 980 is the number of zeros in the test set). Binarisation: a pixel is 1 when its gray level
is above 50%, i.e. value > 127 on the 0..255 scale.

Format of mnist012.bin: 2940 records of 99 bytes, in test-set order: 98 bytes of pixel bits
(784 pixels, row-major 28x28, packed most-significant bit first) followed by the label (0, 1 or 2).
Run from the repository root:

    python3 core/src/data/convert_mnist012.py ../shared/data/mnist core/src/data/mnist012.bin
"""
import gzip
import struct
import sys

src, dst = sys.argv[1], sys.argv[2]
with gzip.open(f"{src}/t10k-images-idx3-ubyte.gz", "rb") as f:
    images = f.read()
with gzip.open(f"{src}/t10k-labels-idx1-ubyte.gz", "rb") as f:
    labels = f.read()
assert struct.unpack(">IIII", images[:16]) == (2051, 10000, 28, 28)
assert struct.unpack(">II", labels[:8]) == (2049, 10000)
PER_CLASS = 980
taken = {0: 0, 1: 0, 2: 0}
out = bytearray()
for i in range(10000):
    label = labels[8 + i]
    if label not in taken or taken[label] == PER_CLASS:
        continue
    taken[label] += 1
    pixels = images[16 + 784 * i : 16 + 784 * (i + 1)]
    packed = bytearray(98)
    for j, p in enumerate(pixels):
        if p > 127:
            packed[j // 8] |= 0x80 >> (j % 8)
    out.extend(packed)
    out.append(label)
assert taken == {0: PER_CLASS, 1: PER_CLASS, 2: PER_CLASS}, taken
assert len(out) == 3 * PER_CLASS * 99
with open(dst, "wb") as f:
    f.write(out)
print(f"wrote {dst}: {len(out)} bytes")
