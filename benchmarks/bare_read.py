"""The limit of a cold hash: walk a webapp and read + xxh3_128 every file that buildtools
fingerprints (all but node_modules, dist, .git, .buildtools, .turbo), nothing else.

    python benchmarks/bare_read.py <webapp>
"""

from __future__ import annotations

import os
import sys

import xxhash

SKIP = {"node_modules", "dist", ".git", ".buildtools", ".turbo", "__pycache__"}


def main(webapp: str) -> None:
    count = 0
    for folder, subfolders, names in os.walk(webapp):
        subfolders[:] = [name for name in subfolders if name not in SKIP]
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                xxhash.xxh3_128_hexdigest(handle.read())
            count += 1
    print(f"{count} files read")


if __name__ == "__main__":
    main(sys.argv[1])
