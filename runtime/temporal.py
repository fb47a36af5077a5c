"""Connecting to Temporal, the one way every Ordermesh process does it."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from runtime.settings import TemporalSettings


async def connect(settings: TemporalSettings) -> Client:
    """A client with the pydantic data converter, which every workflow and
    activity payload in Ordermesh needs."""
    return await Client.connect(
        settings.address,
        namespace=settings.namespace,
        data_converter=pydantic_data_converter,
    )
