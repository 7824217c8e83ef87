"""Full-text search over items and bundles (placeholder until the search index lands)."""


def rebuild_index() -> None:
    """Rebuild the search index from the current catalogue."""
