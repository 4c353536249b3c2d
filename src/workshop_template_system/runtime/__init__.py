"""What every agent shares: the A2A server, the skill executor, task store, peers, auth, health and metrics.

This is the only package that imports ``a2a``; an SDK upgrade touches nothing else.
"""
