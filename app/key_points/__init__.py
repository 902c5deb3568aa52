"""Key points: rapporteurs' notes of a session and the non-attribution checker."""
