"""The bank: statements (camt.053) and credit notifications (camt.054) of our accounts."""
