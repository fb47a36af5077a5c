"""How we address a trading partner: the envelope of every interchange we send it,
from its registry entry and the control numbers the registry handed out."""

from datetime import datetime

from canonical.partners import ControlNumbers, TradingPartner
from canonical.x12.outbound import EnvelopeParams
from canonical.x12.tokens import Delimiters


def envelope_for(
    partner: TradingPartner, numbers: ControlNumbers, created: datetime
) -> EnvelopeParams:
    """Our envelope to `partner`: we are ISA06/GS02 as it addresses us, it is the
    receiver, in its version, delimiters and usage (test or production)."""
    return EnvelopeParams(
        sender_qualifier=partner.our_qualifier,
        sender_id=partner.our_interchange_id,
        receiver_qualifier=partner.interchange_qualifier,
        receiver_id=partner.interchange_id,
        app_sender=partner.application_receiver_id or partner.our_interchange_id,
        app_receiver=partner.application_sender_id or partner.interchange_id,
        interchange_control=int(numbers.isa13),
        group_control=int(numbers.gs06),
        first_set_control=int(numbers.st02),
        created=created,
        usage=partner.usage_indicator.value,
        isa_version=partner.isa_version,
        gs_version=partner.version,
        delimiters=Delimiters(
            element=partner.element_separator,
            component=partner.component_separator,
            segment=partner.segment_terminator,
        ),
    )
