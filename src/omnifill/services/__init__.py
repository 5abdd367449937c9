"""Use cases: one short function each, one transaction each, and the only code that commits."""
