"""Data files of the non-attribution checker (countries, vocabulary, common English words)."""
