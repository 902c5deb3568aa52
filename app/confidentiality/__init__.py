"""The guard: everything that decides whether a text may leave a series.

It sits at the lowest floor with ``app.kit``: every domain calls it, it calls none of them.
"""
