"""The batch worker pool: per-task timeouts, a stuck worker killed and replaced, a crashed
worker replaced, and the run going on after each (no model: tasks are stdlib callables)."""

from __future__ import annotations

import functools
import operator
import os
import signal
import time

import pytest

from unspin.corpus.pool import Pool


def drain(pool: Pool, want: int, limit: float = 60.0):
    results, deadline = [], time.monotonic() + limit
    while len(results) < want and time.monotonic() < deadline:
        results += pool.wait(0.2)
    return {r.key: r for r in results}


def test_results_and_soft_timeout():
    with Pool(2, operator.call, timeout=0.5, preload=()) as pool:
        pool.send("quick", functools.partial(operator.add, 40, 2))
        pool.send("slow", functools.partial(time.sleep, 30))
        got = drain(pool, 2)
        assert got["quick"].ok and got["quick"].value == 42
        assert not got["slow"].ok and "timed out after 0.5s" in got["slow"].error
        assert pool.restarts == 0  # interrupted in Python: the worker (and its model) stays


def test_stuck_worker_is_killed_and_replaced():
    block = functools.partial(signal.pthread_sigmask, signal.SIG_BLOCK, [signal.SIGALRM])
    with Pool(1, operator.call, timeout=0.3, grace=0.5, preload=()) as pool:
        pool.send("mask", block)  # from now on the in-worker timer cannot interrupt
        assert drain(pool, 1)["mask"].ok
        started = time.monotonic()
        pool.send("stuck", functools.partial(time.sleep, 60))
        got = drain(pool, 1)
        assert not got["stuck"].ok and "worker restarted" in got["stuck"].error
        assert time.monotonic() - started < 10 and pool.restarts == 1
        pool.send("after", functools.partial(operator.mul, 6, 7))
        assert drain(pool, 1)["after"].value == 42


def test_crashed_worker_fails_its_task_only():
    with Pool(1, operator.call, timeout=5, preload=()) as pool:
        pool.send("crash", functools.partial(os._exit, 3))
        got = drain(pool, 1)
        assert not got["crash"].ok and "worker process died (exit code 3)" in got["crash"].error
        pool.send("after", functools.partial(operator.add, 1, 1))
        assert drain(pool, 1)["after"].value == 2


def test_task_exception_is_recorded():
    with Pool(1, operator.call, timeout=5, preload=()) as pool:
        pool.send("bad", functools.partial(int, "x"))
        got = drain(pool, 1)
        assert not got["bad"].ok and "ValueError" in got["bad"].error


def test_failing_initializer_stops_the_pool():
    from unspin.errors import UnspinError

    with pytest.raises(UnspinError, match="could not start"):
        Pool(1, operator.call, initializer=int, initargs=("x",), preload=())
