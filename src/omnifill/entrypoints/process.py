"""What a server process does once, after start-up."""

from __future__ import annotations

import gc
from functools import cache

from omnifill.adapters.geography import load_postal_directory


@cache  # once per process: a test suite starts many apps in one
def settle_start_up_heap() -> None:
    """Load the ZIP code table now, then put everything start-up built out of the garbage collector's sight.

    The table (about 42,000 places, beside the zipcodes package's own rows: some 330,000 objects) lives as long as
    the process. Left among the collected objects, every full collection walks it: a pause of about 0.3 s in the
    middle of whatever requests are running (measured with `benchmarks/routing.py --only availability`).
    """
    load_postal_directory()
    gc.collect()  # what start-up threw away goes now, not into the frozen heap
    gc.freeze()
