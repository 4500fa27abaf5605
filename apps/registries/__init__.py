"""Registries: a couple's registry, its settings and privacy, and how guests find and open it."""
