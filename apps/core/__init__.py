"""Small shared helpers that are not an app of their own."""
