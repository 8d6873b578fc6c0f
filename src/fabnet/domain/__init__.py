"""Pure domain models and rules: no I/O, no storage, no web."""
