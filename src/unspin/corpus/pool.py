"""A small process pool for batch runs: the model loaded once per worker, one task at a time per
worker, a per-task timeout, and a stuck or crashed worker replaced without stopping the run.

``concurrent.futures`` cannot kill one stuck worker (a killed worker breaks the whole pool), so
each worker here has its own pipe. The timeout is enforced twice: ``setitimer`` inside the worker
interrupts Python code between two model calls (the model stays loaded); if the worker is stuck
in C code past ``timeout + grace``, the parent kills it and starts a fresh one.

>>> pool = Pool(1, _echo, timeout=5)                    # doctest: +SKIP
>>> pool.send("a", 41); pool.wait(5)                    # doctest: +SKIP
[Result(key='a', ok=True, value=42, error=None)]
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_ready

from ..errors import ModelError, UnspinError

log = logging.getLogger(__name__)

__all__ = ["Pool", "Result", "TaskTimeout", "run_task", "as_result", "cpu_count"]


class TaskTimeout(BaseException):
    """Raised inside a worker when a task runs past its timeout (BaseException, so a task's own
    ``except Exception`` cannot swallow it)."""


@dataclass(frozen=True)
class Result:
    key: object
    ok: bool
    value: object = None
    error: str | None = None


def _on_alarm(signum, frame):
    raise TaskTimeout


def run_task(func, arg, timeout: float | None) -> tuple:
    """``func(arg)`` with a soft timeout, as a message: ``("done", value)``, ``("timeout",)``,
    ``("failed", message)`` for an ``UnspinError`` or ``("error", message)`` for a bug.

    The timeout (``setitimer``) interrupts Python code; it is used only in the main thread,
    where signals are delivered (Ray actors and pool workers run tasks there)."""
    import threading

    timed = bool(timeout) and threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGALRM, _on_alarm) if timed else None
    try:
        try:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            value = func(arg)
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
        return ("done", value)
    except TaskTimeout:
        return ("timeout",)
    except UnspinError as exc:  # a clear reason about this article, not a bug
        return ("failed", str(exc))
    except Exception as exc:  # a task's bug must not end the run: record it and go on
        return ("error", f"{type(exc).__name__}: {exc}")


def as_result(key, msg: tuple, timeout_msg: str) -> Result:
    """The ``Result`` for a ``run_task`` message."""
    if msg[0] == "done":
        return Result(key, True, msg[1])
    if msg[0] == "timeout":
        return Result(key, False, error=timeout_msg)
    if msg[0] == "failed":
        return Result(key, False, error=msg[1])
    return Result(key, False, error=f"internal error: {msg[1]}")


def _worker_main(conn, func, initializer, initargs, timeout):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        info = initializer(*initargs) if initializer else None
    except BaseException as exc:  # reported to the parent, which stops the run
        conn.send(("init-error", type(exc).__name__, str(exc),
                   isinstance(exc, UnspinError)))
        return
    conn.send(("ready", info))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):  # parent gone
            return
        if msg is None:
            import resource

            conn.send(("bye", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
            return
        key, arg = msg
        try:
            conn.send((key, run_task(func, arg, timeout)))
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, ctx, func, initializer, initargs, timeout):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, daemon=True,
                                args=(child, func, initializer, initargs, timeout))
        self.proc.start()
        child.close()
        self.ready = False
        self.task = None  # (key, started)

    def kill(self):
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class Pool:
    """``n`` worker processes running ``func(arg)`` for tasks sent with ``send``.

    ``func``, ``initializer`` and task arguments must pickle (module-level functions). A worker
    whose initializer fails stops the pool with that error. ``timeout`` is seconds per task
    (None: no limit); ``grace`` the extra seconds before a stuck worker is killed; ``hint`` what
    a timed-out task's message tells the user to do. A task raising ``UnspinError`` fails with
    its message; any other exception fails as ``internal error: ...``.
    """

    def __init__(self, n: int, func, *, initializer=None, initargs=(), timeout: float | None = None,
                 grace: float | None = None, preload=("unspin.corpus.work",),
                 hint: str = "raise --article-timeout or split the article"):
        self.ctx = mp.get_context("forkserver")
        self.ctx.set_forkserver_preload(list(preload))
        self.args = (func, initializer, initargs, timeout)
        self.timeout = timeout
        self.hint = hint
        self.grace = grace if grace is not None else max(10.0, (timeout or 0) * 0.5)
        self.info = None
        self.peak_rss: list[int] = []
        self.restarts = 0
        self.workers = [_Worker(self.ctx, *self.args) for _ in range(max(1, n))]
        self._await_ready(self.workers)

    # -- public -------------------------------------------------------------------------------

    @property
    def idle(self) -> int:
        return sum(1 for w in self.workers if w.task is None)

    @property
    def busy(self) -> int:
        return len(self.workers) - self.idle

    def send(self, key, arg) -> None:
        """Give a task to an idle worker (check ``idle`` first)."""
        worker = next(w for w in self.workers if w.task is None)
        worker.task = (key, time.monotonic())
        try:
            worker.conn.send((key, arg))
        except (BrokenPipeError, OSError):
            pass  # found dead in wait(): the task is reported failed there

    def wait(self, timeout: float = 1.0) -> list[Result]:
        """Results that arrive within ``timeout`` seconds, plus tasks failed by a timeout or a
        dead worker."""
        results = []
        busy = {w.conn: w for w in self.workers if w.task is not None}
        if busy:
            for conn in wait_ready(list(busy), timeout):
                w = busy[conn]
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    results.append(self._replace(w, self._death(w)))
                    continue
                key = w.task[0]
                w.task = None
                results.append(as_result(key, msg[1], self._timeout_msg()))
        elif timeout:
            time.sleep(min(timeout, 0.05))
        if self.timeout:
            limit = self.timeout + self.grace
            now = time.monotonic()
            for w in list(self.workers):
                if w.task is not None and now - w.task[1] > limit:
                    log.warning("worker %s stuck for %.0fs: killing it", w.proc.pid,
                                now - w.task[1])
                    results.append(self._replace(w, self._timeout_msg() + " (worker restarted)"))
        return results

    def close(self) -> None:
        """Stop every worker, collecting each one's peak memory (``peak_rss``, bytes)."""
        for w in self.workers:
            try:
                if w.task is None:
                    w.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        deadline = time.monotonic() + 5
        for w in self.workers:
            if w.task is None and w.conn.poll(max(0.0, deadline - time.monotonic())):
                try:
                    msg = w.conn.recv()
                    if msg[0] == "bye":
                        self.peak_rss.append(msg[1])
                except (EOFError, OSError):
                    pass
            w.kill()
        self.workers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals ----------------------------------------------------------------------------

    def _timeout_msg(self) -> str:
        return f"timed out after {self.timeout:g}s; {self.hint}"

    def _death(self, w: _Worker) -> str:
        w.proc.join(1)
        code = w.proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return f"worker process died ({how}) while analysing this article"

    def _replace(self, w: _Worker, error: str) -> Result:
        key = w.task[0]
        w.task = None
        w.kill()
        fresh = _Worker(self.ctx, *self.args)
        self.workers[self.workers.index(w)] = fresh
        self.restarts += 1
        self._await_ready([fresh])
        return Result(key, False, error=error)

    def _await_ready(self, workers) -> None:
        for w in workers:
            try:
                msg = w.conn.recv()
            except (EOFError, OSError):
                self.close_all(workers)
                raise ModelError(f"a batch worker died while loading the model ({self._death(w)})"
                                 ) from None
            if msg[0] == "init-error":
                self.close_all(workers)
                _, kind, text, ours = msg
                if ours:
                    from .. import errors

                    raise getattr(errors, kind, UnspinError)(text)
                raise UnspinError(f"a batch worker could not start: {kind}: {text}")
            w.ready = True
            self.info = msg[1]

    def close_all(self, extra=()) -> None:
        for w in {id(w): w for w in [*self.workers, *extra]}.values():
            w.kill()
        self.workers = []


def cpu_count() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
