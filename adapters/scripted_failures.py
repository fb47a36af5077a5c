"""Failures on demand for the in-memory fakes.

Each fake lets a test script the next calls of a port method to fail: before the
call has any effect (the outside system refused, or was unreachable), or after it
(the effect happened and the response was lost, which a retry must cope with).
"""

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class ScriptedFailure:
    exc: Exception
    times: int
    after_effect: bool


class FailureScript:
    """The scripted failures of one fake.

    Args:
        fake: The fake's name, for error messages.
        methods: The port methods that may be scripted.
    """

    def __init__(self, fake: str, methods: Iterable[str]) -> None:
        self._fake = fake
        self._methods = frozenset(methods)
        self._queues: defaultdict[str, deque[ScriptedFailure]] = defaultdict(deque)

    def add(
        self, method: str, exc: Exception, times: int = 1, *, after_effect: bool = False
    ) -> None:
        """Make the next `times` calls of `method` raise `exc`."""
        if method not in self._methods:
            raise ValueError(f"{self._fake} has no port method {method!r}")
        self._queues[method].append(ScriptedFailure(exc, times, after_effect))

    def before(self, method: str) -> ScriptedFailure | None:
        """Called as a method starts: raises a failure due now, or returns one that
        the method raises after doing its work."""
        queue = self._queues.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        if not failure.after_effect:
            raise failure.exc
        return failure
