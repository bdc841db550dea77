"""Long calls: the GIL is released (two calls in threads run side by side and give the
sequential results), Ctrl-C raises KeyboardInterrupt within about a second, progress arrives."""

import _thread
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from entropic import entropy, lattice

LONG = dict(size=128, temperatures=[2.2, 2.4], sweeps=10**7, seed=1)


class TookTooLong(Exception):
    pass


def deadline(seconds):
    """A progress callback that stops the run (by raising) after `seconds`, so a test whose
    interruption failed fails instead of running for hours."""
    start = time.monotonic()

    def check(stage, done, total):
        if time.monotonic() - start > seconds:
            raise TookTooLong(f"still running after {seconds} s")

    return check


@pytest.fixture
def sigint_raises_keyboard_interrupt():
    """Python's own SIGINT handler, as in an interactive session: a process started in the
    background by a non-interactive shell inherits SIGINT ignored, and then Ctrl-C (and
    interrupt_main) does nothing at all."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_raises_keyboard_interrupt_within_a_second(sigint_raises_keyboard_interrupt):
    fired = []

    def interrupt():
        fired.append(time.monotonic())
        _thread.interrupt_main()  # what Ctrl-C does: SIGINT's handler on the main thread

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        lattice.thermo(**LONG, progress=deadline(10))  # hours of work if not interrupted
    latency = time.monotonic() - fired[0]
    assert latency < 1.5, f"KeyboardInterrupt {latency:.2f} s after Ctrl-C"
    assert time.monotonic() - start < 3


@pytest.mark.parametrize(
    "call",
    [
        lambda x: entropy.mine(x[:, :1], x[:, 1:], steps=10**6),
        lambda x: entropy.minde_c(x[:, :1], x[:, 1:], train_steps=10**6, hidden=[16]),
        lambda x: entropy.minde(x, train_steps=10**6, hidden=[16]),
        lambda x: entropy.mice(x, steps=10**6),
        lambda x: entropy.compare(x, train_steps=10**6, hidden=[16]),
    ],
    ids=["mine", "minde_c", "minde", "mice", "compare"],
)
def test_ctrl_c_stops_learned_estimators_within_a_second(call, sigint_raises_keyboard_interrupt):
    # A million training steps would take minutes: Ctrl-C reaches into the training loop.
    x = np.random.default_rng(2).normal(size=(2000, 2))
    fired = []

    def interrupt():
        fired.append(time.monotonic())
        _thread.interrupt_main()

    threading.Timer(0.5, interrupt).start()
    with pytest.raises(KeyboardInterrupt):
        call(x)
    latency = time.monotonic() - fired[0]
    assert latency < 1.5, f"KeyboardInterrupt {latency:.2f} s after Ctrl-C"


def test_two_calls_in_threads_give_the_sequential_results():
    calls = [dict(size=16, temperatures=[2.0, 2.5], samples=200, seed=s) for s in (1, 2)]
    sequential = [lattice.sample(**c) for c in calls]
    x = np.random.default_rng(0).normal(size=(20000, 4))
    knn = entropy.knn(x).value
    with ThreadPoolExecutor(4) as pool:
        samples = [pool.submit(lattice.sample, **c) for c in calls]
        estimates = [pool.submit(entropy.knn, x) for _ in range(2)]
        for got, want in zip(samples, sequential):
            np.testing.assert_array_equal(got.result(), want)
        assert [e.result().value for e in estimates] == [knn, knn]


def test_the_gil_is_released_while_a_call_runs():
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    x = np.random.default_rng(1).normal(size=(40000, 6))
    start = time.monotonic()
    entropy.knn(x)
    seconds = time.monotonic() - start
    stop.set()
    counter.join()
    # A held GIL would starve the counter for the whole call.
    assert seconds > 0.05 and len(ticks) > 0.3 * seconds / 0.001, (seconds, len(ticks))


def test_progress_reports_each_stage_and_its_exception_cancels_the_run():
    reports = []
    lattice.sample(size=16, temperatures=[2.0, 2.5, 3.0], samples=100, seed=3,
                   progress=lambda *r: reports.append(r))
    assert reports and all(stage == "temperatures" for stage, _, _ in reports)
    assert reports[-1] == ("temperatures", 3, 3)

    class Stop(Exception):
        pass

    def refuse(stage, done, total):
        raise Stop(stage)

    start = time.monotonic()
    with pytest.raises(Stop):
        lattice.thermo(**LONG, progress=refuse)
    assert time.monotonic() - start < 3


def test_tqdm_callback_draws_bars():
    tqdm = pytest.importorskip("tqdm")
    from entropic.progress import Tqdm

    bar = Tqdm(disable=False)
    lattice.sample(size=8, temperatures=[2.0, 3.0], samples=20, progress=bar)
    assert bar._bar.n == 2 and bar._bar.total == 2
    bar.close()
    assert tqdm is not None
