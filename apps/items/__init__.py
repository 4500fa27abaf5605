"""Items: the gifts on a registry, as the couple adds, edits, hides and orders them."""
