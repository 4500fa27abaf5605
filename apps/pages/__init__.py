"""Pages: the marketing pages (home, pricing, FAQ), and the demo data that shows off the product."""
