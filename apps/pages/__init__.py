"""Pages: the marketing pages (home, pricing, FAQ)."""
