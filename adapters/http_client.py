"""What every httpx adapter shares: a client it is given, or one it makes and closes."""

from typing import Self

import httpx


class HttpAdapter:
    """Base of the httpx adapters.

    Args:
        client: An `httpx.AsyncClient` whose `base_url` is the outside system's; the
            caller owns it, or use `from_base_url` and `aclose`.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @classmethod
    def from_base_url(cls, base_url: str, timeout: float = 10.0) -> Self:
        """An adapter with its own client for `base_url`; close it with `aclose()`."""
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout))

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()
