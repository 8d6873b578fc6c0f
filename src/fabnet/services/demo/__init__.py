"""The demo world and its story."""
