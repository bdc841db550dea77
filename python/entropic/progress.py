"""Progress callbacks for long calls.

Every long call takes ``progress=callable``; the callable is invoked from the calling thread as
``progress(stage, done, total)`` whenever the run reports, at most every 50 ms. An exception
raised by the callable cancels the run and is re-raised.
"""


class Tqdm:
    """A progress callback that draws one tqdm bar per stage (needs ``pip install tqdm``).

    >>> from entropic import lattice, progress
    >>> bar = progress.Tqdm(leave=False)
    >>> x = lattice.sample(size=8, temperatures=[2.0, 3.0], samples=10, progress=bar)
    >>> bar.close()
    """

    def __init__(self, **tqdm_kwargs):
        from tqdm.auto import tqdm  # type: ignore[import-untyped]  # optional

        self._tqdm = tqdm
        self._kwargs = tqdm_kwargs
        self._stage = None
        self._bar = None

    def __call__(self, stage, done, total):
        if self._bar is None or stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = self._tqdm(total=total, desc=stage, **self._kwargs)
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self):
        """Close the current bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
