"""Allocation-heavy Python for the python3 workload of bench/peers.sh.

    PYTHONMALLOC=malloc python3 alloc.py [ROUNDS]

PYTHONMALLOC=malloc sends every object through malloc instead of Python's own small-
object allocator, so the allocator under test sees each dict, list and string.  Each
round builds a word index (dicts of lists of strings), joins and splits strings,
and keeps a bounded window of the last rounds' results alive, so memory is both
reused and held.  The random seed is fixed: every run does the same work.  Prints
a checksum so a broken allocator cannot pass unnoticed.
"""
import random
import sys


def one_round(rng, n):
    words = ["w%x" % rng.getrandbits(20) for _ in range(n)]
    index = {}
    for pos, word in enumerate(words):
        index.setdefault(word[:3], []).append((pos, word))
    text = " ".join(words)
    parts = text.split(" ")
    table = {w: len(w) * i for i, w in enumerate(parts[: n // 2])}
    lines = ["%s=%d" % kv for kv in sorted(table.items())[:200]]
    return index, "\n".join(lines), sum(table.values()) % 1000003


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    rng = random.Random(12345)
    window = []
    checksum = 0
    for _ in range(rounds):
        index, text, value = one_round(rng, 20000)
        window.append((index, text))
        if len(window) > 8:
            window.pop(0)
        checksum = (checksum * 31 + value + len(index) + len(text)) % 1000000007
    print("alloc.py rounds=%d checksum=%d" % (rounds, checksum))


main()
