"""Plain state objects that the client layer fills from the wire and panels read.

Nothing here touches Qt or the network: messages are applied as they arrive, each object
counts its changes in ``version``, and panels repaint from it at most once a frame when
the version moved.
"""
