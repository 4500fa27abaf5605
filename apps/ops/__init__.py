"""Ops: health, error pages, read-only mode and other levers for operators."""
