"""The pure core: standard library only, no clock reads, no I/O. Time, ids and settings are passed in."""
