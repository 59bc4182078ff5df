"""Many articles through the worker pool, results streamed back in input order.

``in_order`` is the one loop both users share: ``run_batch`` feeds it input records and groups
what comes out into parts; ``analyze_each`` (behind ``unspin analyze DIR``) feeds it files and
yields one ``Outcome`` per file. Work runs in ``Pool`` worker processes, the model loaded once in
each, with the per-article timeout of ``ARTICLE_TIMEOUT`` seconds by default; a slow article
holds back what is yielded, never what is being analysed (up to ``window`` articles ahead).

>>> for o in analyze_each([("a.txt", None), ("b.html", None)]):    # doctest: +SKIP
...     print(o.source, o.error or len(o.analysis.spans))
a.txt 3
b.html timed out after 300s; split the article or analyse it alone
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..options import Options
from .pool import Result

__all__ = ["ARTICLE_TIMEOUT", "Outcome", "analyze_each", "in_order"]

#: Seconds one article may take in a batch or a multi-file ``analyze`` before it fails, unless
#: ``Options.article_timeout`` (``--article-timeout``) says otherwise.
ARTICLE_TIMEOUT = Options.article_timeout

_END = object()


def in_order(pool, items: Iterable[tuple[object, object]], *, window: int
             ) -> Iterator[tuple[object, Result]]:
    """``(tag, Result)`` for every ``(tag, arg)`` of ``items``, in the order of ``items``.

    ``arg`` goes to an idle worker of ``pool`` (a ``Pool`` or anything with its ``idle``,
    ``send`` and ``wait``); an ``arg`` that is already a ``Result`` (a row that needs no worker)
    passes straight through. At most ``window`` items are read ahead of the oldest unfinished one.
    """
    items = iter(items)
    pending: deque[list] = deque()  # [tag, Result | None], in input order
    waiting: dict[int, list] = {}
    seq = 0
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            if not pool.idle:
                break
            item = next(items, _END)
            if item is _END:
                exhausted = True
                break
            tag, arg = item
            slot = [tag, arg if isinstance(arg, Result) else None]
            pending.append(slot)
            if slot[1] is None:
                waiting[seq] = slot
                pool.send(seq, arg)
                seq += 1
        while pending and pending[0][1] is not None:
            tag, result = pending.popleft()
            yield tag, result
        if exhausted and not pending:
            return
        if waiting:
            for r in pool.wait(0.5):
                waiting.pop(r.key)[1] = r
        elif not pool.idle:  # cannot happen: a busy worker always has a waiting task
            time.sleep(0.05)


@dataclass(frozen=True)
class Outcome:
    """One source of ``analyze_each``: its ``Analysis``, or why it failed (one line)."""

    source: str
    analysis: object = None
    error: str | None = None


def analyze_each(sources: list[tuple[str, str | None]], options: Options | None = None, *,
                 workers: int | None = None, timeout: float | None = ARTICLE_TIMEOUT,
                 ) -> Iterator[Outcome]:
    """Analyse ``(source, kind)`` pairs (files, URLs, ``-``) in worker processes, yielding an
    ``Outcome`` per source in input order. ``workers`` defaults to the cores (at most one per
    source); ``timeout`` is seconds per article (None: no limit)."""
    from .pool import Pool, cpu_count
    from .work import analyze_source, init_worker

    options = options or Options()
    if not sources:
        return
    cores = cpu_count()
    workers = max(1, min(workers or cores, len(sources)))
    threads = options.threads or max(1, cores // workers)
    hint = "split the article or analyse it alone (one article has no time limit)"

    def items():
        for src, kind in sources:
            if src == "-":  # stdin is this process's: read it here, analyse it there
                from .. import ingest
                from ..errors import UnspinError

                try:
                    yield src, ingest.load("-", kind=kind, options=options)
                except UnspinError as exc:
                    yield src, Result(None, False, error=str(exc))
            else:
                yield src, (src, kind)

    with Pool(workers, analyze_source, initializer=init_worker,
              initargs=(options.replace(threads=threads), "analysis"), timeout=timeout,
              hint=hint) as pool:
        for src, r in in_order(pool, items(), window=4 * workers):
            if r.ok:
                yield Outcome(src, r.value)
            else:
                error = r.error if src in r.error else f"{src}: {r.error}"
                yield Outcome(src, error=error)
