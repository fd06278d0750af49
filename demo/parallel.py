"""Generating a company's profiles in several processes at once.

Generating a million profiles with their history is pure-Python work of a couple of
minutes on one core. Shards run in worker processes (one per core) and send their
chunks as ready-made COPY text to the parent, which alone talks to the database, in
its one transaction. Rows of different shards never collide: each shard takes every
n-th id and every n-th phone line (see Rows and PhonePool).
"""

import multiprocessing
import os
import pickle
import queue
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime

from .catalog import Catalog
from .clock import Clock
from .people import DAYS_BACK, People
from .rows import Rows
from .worker import work

Chunk = dict[str, tuple[int, str]]


def shard_seed(seed: int | None, shard: int) -> random.Random:
    return random.Random(None if seed is None else f"{seed}/{shard}")


def _people(catalog, first_ids, now, seed, shard, shards) -> People:
    rows = Rows(first_ids, shard, shards)
    return People(catalog, rows, Clock(now, DAYS_BACK), shard_seed(seed, shard), shard, shards)


def run_shard(catalog, count, size, first_ids, now, seed, shard, shards, *, out) -> None:
    """In a worker process: generate one shard and send its chunks, then its totals."""
    people = _people(catalog, first_ids, now, seed, shard, shards)
    for chunk in people.chunks(count, size):
        out.put(("chunk", chunk))
    out.put(("done", dict(people.history.broadcast_counts)))


def generate(
    catalog: Catalog,
    *,
    count: int,
    size: int,
    first_ids: dict[str, int],
    now: datetime,
    seed: int | None,
    workers: int,
    on_counts: Callable[[dict[int, Counter]], None],
) -> Iterator[Chunk]:
    """Chunks of `count` profiles, from `workers` processes (0: in this process)."""
    if workers <= 1:
        people = _people(catalog, first_ids, now, seed, 0, 1)
        yield from people.chunks(count, size)
        on_counts(people.history.broadcast_counts)
        return
    # spawn, not fork: the parent holds an open database connection and a transaction.
    context = multiprocessing.get_context("spawn")
    out = context.Queue(maxsize=2 * workers)
    args = (catalog, count, size, first_ids, now, seed)
    processes = [
        context.Process(target=work, args=(pickle.dumps((*args, shard, workers)), out), daemon=True)
        for shard in range(workers)
    ]
    for process in processes:
        process.start()
    running = workers
    try:
        while running:
            try:
                kind, payload = out.get(timeout=5)
            except queue.Empty:
                if sum(p.exitcode is None for p in processes) < running:
                    raise RuntimeError("a demo data worker died") from None
                continue
            if kind == "chunk":
                yield payload
            elif kind == "done":
                running -= 1
                on_counts(payload)
            else:
                raise RuntimeError(f"a demo data worker failed: {payload}")
    finally:
        for process in processes:
            if process.is_alive() and running:
                process.terminate()
            process.join()


def default_workers(profiles: int) -> int:
    """One process per core for large loads; small ones are faster in-process."""
    return min(os.cpu_count() or 1, 4) if profiles >= 50_000 else 0
