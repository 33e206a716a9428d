"""digest: Persian right-to-left news digests from a folder of articles.

The pipeline is read -> assemble -> render -> write; see ``digest.build``.
"""

__version__ = "0.1.0"
