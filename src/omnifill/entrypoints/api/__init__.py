"""The HTTP API v1: thin routes that translate JSON to use cases and back."""
