"""Type stubs of the compiled core (classes shared by the submodules)."""

from typing import Iterator, Literal, Optional, final

class EntropicError(Exception):
    """A computation failed while running (bad arguments raise ValueError instead)."""

@final
class Estimate:
    """A value with one standard error."""

    @property
    def value(self) -> float: ...
    @property
    def std_error(self) -> float:
        """One standard error (0 for exact values)."""
    @property
    def unit(self) -> Literal["nats", "bits"]: ...
    @property
    def samples(self) -> int:
        """How many samples the estimate used (0 for exact values)."""
    def bits(self) -> Estimate:
        """The same estimate in bits."""
    def __iter__(self) -> Iterator[float]:
        """(value, std_error), for unpacking."""

@final
class EstimatorRow:
    """One estimator's result in a comparison."""

    @property
    def estimator(self) -> str:
        """The estimator's name, as in the CLI's tables."""
    @property
    def estimate(self) -> Estimate: ...
    @property
    def seconds(self) -> Optional[float]: ...
    @property
    def divergence(self) -> Optional[Estimate]:
        """Learned MINDE only: KL(data || Gaussian fit) with its Monte Carlo error."""
    @property
    def learned_nothing(self) -> bool:
        """The divergence is indistinguishable from zero: the row equals the Gaussian fit."""
