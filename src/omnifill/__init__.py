"""omnifill: one inventory ledger across every location and order intake that never oversells."""

__version__ = "0.1.0"
