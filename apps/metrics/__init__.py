"""Metrics: daily counters of what happens on the site, a daily report and charts."""
