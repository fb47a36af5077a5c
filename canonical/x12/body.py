"""The shape of a segment body we write: elements as text, composites as tuples.

A document writer returns a `Body` without ST/SE; `canonical.x12.outbound` frames
it, numbers it and joins it with the partner's delimiters.
"""

# A simple element is a string; a composite (C030 in AK401, say) is a tuple of its
# components, joined with the component separator only when written.
Element = str | tuple[str, ...]
Body = list[list[Element]]
