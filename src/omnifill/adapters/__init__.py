"""I/O: the SQL store, postal geography, identifiers; later channels, carriers and the outbox relay."""
