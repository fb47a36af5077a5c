"""X12 for the EDI channel: read what partners send, write what we owe them.

Pure functions over pydantic models; no I/O. The modules, from the bytes up:

* `tokens`: delimiters from the ISA, raw segments, the lexical tolerances.
* `envelope`: `read_x12` (tolerant) and `parse_interchanges` (raises `X12Refusal`)
  into the models of `structure`; `validation` and `checks` do the envelope checks
  and `problems` names what they find.
* `ack997` and `ta1`: the acknowledgments we build and the ones we read.
* `po850` (models in `po850_models`, mapping in `po850_submission`): the purchase
  order as the buyer wrote it, and our `OrderSubmission` from it.
* `ack855`, `asn856`, `invoice810`: our answers, each with a writer of its body and
  a reader; `outbound` wraps bodies in the envelope with the right counts.
"""
