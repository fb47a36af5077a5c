"""N1 loops: the parties of a document (ship-to, bill-to, buyer, ship-from...).

An N1 names the party (N101 role, N102 name, N103/N104 its id); N2 adds names, N3
street lines, N4 city, state, postal code and country. Many partners leave N404
out for domestic addresses, so an N4 without a country means the US. A ship-to
given only by a store number (`N1*ST*STORE*92*0001`) has no address at all; that
is for the caller to resolve.
"""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from canonical.address import Address
from canonical.x12.body import Body, Element
from canonical.x12.structure import Segment

# Segments of the N1 loop we read (N2-N4) or step over (REF, PER belong to it too).
_LOOP = ("N2", "N3", "N4", "REF", "PER")
DEFAULT_COUNTRY = "US"


class Party(BaseModel):
    """One N1 loop.

    Attributes:
        role: N101 entity identifier: `ST` ship-to, `BT` bill-to, `BY` buyer,
            `SF` ship-from, `SU`/`VN` supplier, `RE` remit-to, `SE` seller...
        id_qualifier / id: N103 / N104 (`92` assigned by buyer, `9` DUNS+4, ...).
        street: N301/N302 of every N3, in order.
    """

    model_config = ConfigDict(frozen=True)

    role: str
    name: str = ""
    id_qualifier: str = ""
    id: str = ""
    extra_names: list[str] = []
    street: list[str] = []
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""

    def address(self) -> Address | None:
        """Our Address, when the loop holds a full one; None for an id-only party."""
        try:
            return Address(
                name=self.name or next(iter(self.extra_names), ""),
                street=", ".join(self.street),
                city=self.city,
                postal_code=self.postal_code,
                country=self.country or DEFAULT_COUNTRY,
                region=self.state,
            )
        except ValidationError:
            return None


def read_party(segments: Sequence[Segment], index: int) -> tuple[Party, int]:
    """The N1 at `index` and the loop segments after it; the index after the loop."""
    n1 = segments[index]
    names: list[str] = []
    street: list[str] = []
    city = state = postal = country = ""
    index += 1
    while index < len(segments) and segments[index].id in _LOOP:
        segment = segments[index]
        if segment.id == "N2":
            names.extend(v for v in (segment.element(1), segment.element(2)) if v)
        elif segment.id == "N3":
            street.extend(v for v in (segment.element(1), segment.element(2)) if v)
        elif segment.id == "N4":
            city, state, postal = segment.element(1), segment.element(2), segment.element(3)
            country = segment.element(4) or DEFAULT_COUNTRY
        index += 1
    party = Party(
        role=n1.element(1),
        name=n1.element(2),
        id_qualifier=n1.element(3),
        id=n1.element(4),
        extra_names=names,
        street=street,
        city=city,
        state=state,
        postal_code=postal,
        country=country,
    )
    return party, index


def party_segments(party: Party) -> Body:
    """N1, then N2/N3 in pairs of lines, then N4 when there is a place."""
    body: Body = [["N1", party.role, party.name, party.id_qualifier, party.id]]
    body.extend(["N2", *pair] for pair in _pairs(party.extra_names))
    body.extend(["N3", *pair] for pair in _pairs(party.street))
    if party.city or party.state or party.postal_code or party.country:
        body.append(["N4", party.city, party.state, party.postal_code, party.country])
    return body


def _pairs(lines: list[str]) -> list[list[Element]]:
    return [list(lines[i : i + 2]) for i in range(0, len(lines), 2)]


def read_parties(segments: Sequence[Segment]) -> list[Party]:
    """Every N1 loop among `segments`, in order."""
    parties: list[Party] = []
    index = 0
    while index < len(segments):
        if segments[index].id == "N1":
            party, index = read_party(segments, index)
            parties.append(party)
        else:
            index += 1
    return parties
