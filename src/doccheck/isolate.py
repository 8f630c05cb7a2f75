"""Run each page in its own process, with a time limit.

A page's code runs in a child process forked from the checker, so that
nothing it does (exit the process, change directory, patch `ref` or the
checker, leave state behind) can reach another page or the test run.
The child checks the page (and, when asked, runs its mutation test on the
same computed values, so the page's code runs once), then reports back a
`Result`.

Limits: a page gets `DEFAULT_TIMEOUT` seconds (``doccheck: timeout: N``
in its front matter changes that). At the limit the fence that is running
is interrupted and reported at its line; a page that does not stop is
killed a few seconds later and reported at the fence that was running.

`Pool` runs many pages side by side, one process per page, at most
`workers` at a time, and hands out results in any order. It forks only
from the calling thread, never from a helper thread: forking while
another thread is inside a BLAS call can hang that call (OpenBLAS stops
its threads before a fork).
"""

import gc
import multiprocessing
import os
import pickle
import signal
import threading
import time
from multiprocessing.connection import wait

from doccheck.run import Problem, Result

DEFAULT_TIMEOUT = 60.0
GRACE = 5.0  # seconds between the interrupt and the kill


class PageTimeout(BaseException):
    """Raised inside the running fence when the page's time is up."""


def page_timeout(meta):
    own = meta.get("doccheck") if isinstance(meta, dict) else None
    if isinstance(own, dict) and isinstance(own.get("timeout"), int | float):
        return float(own["timeout"])
    return DEFAULT_TIMEOUT


def _timeout_of(path, text):
    from doccheck import page as pagemod

    try:
        return page_timeout(pagemod.parse(path, text).meta)
    except Exception:  # noqa: BLE001 - the child reports the parse error
        return DEFAULT_TIMEOUT


#: BLAS threads each page process may use (set by the Pool): the pool's
#: workers share the cores, and OpenBLAS threads that outnumber them spin
#: against each other (a page went from 3 s to 54 s on 2 busy cores).
BLAS_THREADS = None


def _child(conn, line, path, text, update, mutate, timeout):
    """In the child: check the page, send (Result, report) back."""
    from doccheck import run

    if BLAS_THREADS is not None:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=BLAS_THREADS, user_api="blas")

    run.CURRENT_LINE = line
    cwd = os.getcwd()
    before = run.tamper_snapshot()

    def on_alarm(signum, frame):
        raise PageTimeout(f"the page ran longer than {timeout:g} s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    report = None
    cache = {}
    try:
        result = run.check_page(path, text, update=update, cache=cache)
    except PageTimeout as exc:
        where = getattr(exc, "line", None) or max(line.value, 1)
        result = Result(
            path,
            [
                Problem(
                    where,
                    f"{exc} (default {DEFAULT_TIMEOUT:g} s; set "
                    "'timeout:' under 'doccheck:' in the front matter): "
                    f"stopped here, in the fence at line {line.value}",
                )
            ],
        )
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    result.problems += run.tamper_problems(before)
    if os.getcwd() != cwd:
        result.problems.append(
            Problem(
                1,
                "the page changed the working directory; a page "
                "must leave it as it found it",
            )
        )
        os.chdir(cwd)
    if mutate and not result.problems and not result.skipped:
        from doccheck.mutate import mutate_page

        report = mutate_page(path, text, cache=cache, base=result)
    try:
        payload = pickle.dumps((result, report))
    except Exception as exc:  # noqa: BLE001
        payload = pickle.dumps(
            (
                Result(path, [Problem(1, f"cannot report the result: {exc}")]),
                None,
            )
        )
    conn.send_bytes(payload)
    conn.close()
    os._exit(0)


def _preload():
    """Import ref's modules once here, so no page's process pays for them."""
    import importlib
    import pkgutil

    import ref

    for info in pkgutil.iter_modules(ref.__path__):
        try:
            importlib.import_module(f"ref.{info.name}")
        except Exception:  # noqa: BLE001 - a page reports its own imports
            pass


class _Job:
    def __init__(self, path, text, update, mutate):
        self.path, self.text = path, text
        self.update, self.mutate = update, mutate
        self.timeout = _timeout_of(path, text)
        self.process = None
        self.conn = None
        self.line = None
        self.started = None
        self.interrupted = False


class Pool:
    """Check pages in child processes, `workers` at a time."""

    def __init__(self, workers=None):
        _preload()
        self.freeze()
        self.ctx = multiprocessing.get_context("fork")
        self.workers = workers or max(1, os.cpu_count() or 1)
        global BLAS_THREADS
        BLAS_THREADS = max(1, (os.cpu_count() or 1) // self.workers)
        self.queue = []  # jobs not started
        self.running = []
        self.done = {}  # path -> (Result, mutation report)
        self.lock = threading.RLock()
        self.closed = False

    @staticmethod
    def freeze():
        """Keep the objects the children share away from their garbage
        collectors, so fewer memory pages are copied into each one."""
        gc.collect()
        gc.freeze()

    def submit(self, path, text, update=False, mutate=False):
        with self.lock:
            if path in self.done or any(
                j.path == path for j in self.queue + self.running
            ):
                return
            self.queue.append(_Job(path, text, update, mutate))

    def result(self, path, text=None, update=False, mutate=False):
        """The (Result, report) of `path`, running it if needed."""
        if text is not None:
            self.submit(path, text, update, mutate)
        with self.lock:
            for j in self.queue:  # put our page first
                if j.path == path:
                    self.queue.remove(j)
                    self.queue.insert(0, j)
                    break
        while True:
            with self.lock:
                if path in self.done:
                    return self.done[path]
                self.step(block=True)

    def step(self, block=False):
        """Start what fits, collect what finished, enforce the limits."""
        while self.queue and len(self.running) < self.workers:
            self._start(self.queue.pop(0))
        if not self.running:
            return
        conns = [j.conn for j in self.running]
        ready = wait(conns, timeout=0.05 if block else 0)
        for job in list(self.running):
            if job.conn in ready:
                self._finish(job)
            else:
                self._police(job)

    def _start(self, job):
        parent, child = self.ctx.Pipe(duplex=False)
        job.line = self.ctx.Value("i", 0, lock=False)
        job.process = self.ctx.Process(
            target=_child,
            args=(
                child,
                job.line,
                job.path,
                job.text,
                job.update,
                job.mutate,
                job.timeout,
            ),
            daemon=True,
        )
        job.process.start()
        child.close()
        job.conn = parent
        job.started = time.monotonic()
        self.running.append(job)

    def _finish(self, job):
        try:
            payload = job.conn.recv_bytes()
            result, report = pickle.loads(payload)  # noqa: S301 - our child
        except (EOFError, OSError):
            job.process.join(1)
            code = job.process.exitcode
            result, report = (
                Result(
                    job.path,
                    [
                        Problem(
                            max(job.line.value, 1),
                            "the page's process ended (exit code "
                            f"{code}) while running the fence at line "
                            f"{job.line.value}: a page must not end or "
                            "kill its process",
                        )
                    ],
                ),
                None,
            )
        self._close(job)
        self.done[job.path] = (result, report)

    def _police(self, job):
        elapsed = time.monotonic() - job.started
        limit = job.timeout + GRACE
        if job.mutate:
            limit += 10 * job.timeout  # the mutants reuse the values
        if elapsed > limit:
            job.process.kill()
            job.process.join(5)
            self._close(job)
            self.done[job.path] = (
                Result(
                    job.path,
                    [
                        Problem(
                            max(job.line.value, 1),
                            f"the page did not finish within "
                            f"{job.timeout:g} s and was killed while "
                            f"running the fence at line {job.line.value}",
                        )
                    ],
                ),
                None,
            )

    def _close(self, job):
        job.conn.close()
        if job.process.is_alive():
            job.process.kill()
        job.process.join(5)
        self.running.remove(job)

    def close(self):
        self.closed = True
        with self.lock:
            for job in list(self.running):
                job.process.kill()
                self._close(job)
            self.queue.clear()


def check_isolated(path, text, update=False, mutate=False):
    """Check one page in its own process: (Result, mutation report)."""
    pool = Pool(workers=1)
    try:
        return pool.result(path, text, update, mutate)
    finally:
        pool.close()
