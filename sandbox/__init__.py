"""Stand-ins for the warehouse and the parcel carrier, for `make run`, demos and tests.

One FastAPI app (`sandbox.app.create_app`) serves a warehouse management system under
`/wms` and a parcel carrier under `/carrier`, keeps its state in SQLite through
SQLModel, and sends what happens on the warehouse floor and on the road (picked,
packed, shipped, in transit, delivered) as signed webhooks to Ordermesh. Latency,
errors and duplicate events can be injected to exercise the retry paths.

The sandbox imports `canonical` and third-party libraries only: it plays the outside
systems, so it must not know how Ordermesh's adapters or workflows talk to it.
"""
