"""Channel mappers: what a store, a portal or a partner sends, into the canonical order.

Each mapper is pure (no I/O): it reads the channel's payload into a tolerant model of
the parts Ordermesh uses, and either maps it to an `OrderSubmission` or refuses it
with reasons that name the field or line at fault.
"""
