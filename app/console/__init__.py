"""The console: server-rendered pages for the organisers and rapporteurs of a series.

``rendering`` and ``routing`` are the plumbing every console page uses (templates, the
route class that turns errors into pages); the screens themselves live beside their
domains as ``app/<domain>/pages.py`` and call the same services as the API. ``home`` (my
series) and ``landing`` (``/`` and the offline API reference) compose several domains.
"""
