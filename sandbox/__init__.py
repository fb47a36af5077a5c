"""Stand-ins for the warehouse, the TMS and the carriers, for `make run`, demos and tests.

One FastAPI app (`sandbox.app.create_app`) serves a warehouse management system under
`/wms`, a transport management system (rate quotes) under `/tms` and the carriers
(parcel and LTL) under `/carrier`, keeps its state in SQLite through SQLModel, and
sends what happens in the warehouse and on the road (stock received, picked, packed,
shipped, in transit, delivered, returns received) as signed webhooks to Ordermesh.
Customer returns have their own modules: return labels (`returns_carrier`), and the
dock's receipts and their restock or scrap (`wms_returns`). Latency,
errors and duplicate events can be injected to exercise the retry paths.

The sandbox imports `canonical` and third-party libraries only: it plays the outside
systems, so it must not know how Ordermesh's adapters or workflows talk to it.
"""
