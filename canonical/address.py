"""Postal addresses."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Address(BaseModel):
    """A ship-to or bill-to address.

    Attributes:
        country: ISO 3166-1 alpha-2 code.
    """

    model_config = ConfigDict(frozen=True)

    name: NonEmpty
    street: NonEmpty
    city: NonEmpty
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    region: Annotated[str, StringConstraints(max_length=40)] = ""
