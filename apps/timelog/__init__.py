"""Timelog: one line per request (view, status, time, queries) and reports over them."""
