"""Temporal activities: thin classes with adapters injected, one pydantic input and
one pydantic result per activity. Their names and models live in
`activities.contracts`, which workflows import without pulling in any I/O."""
