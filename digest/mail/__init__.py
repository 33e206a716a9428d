"""Digest emails: ``period`` picks the articles, ``compose`` renders and builds messages,
``encode`` writes header values by hand, ``send`` and ``sendlog`` deliver them at most once,
``run`` ties it together for ``digest email``."""
