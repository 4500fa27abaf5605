"""Importer: fill in a gift from a store's product page, fetched safely in the background."""
