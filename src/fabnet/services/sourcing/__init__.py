"""Sourcing: matching, quoting, planning and re-planning, make-vs-buy."""
