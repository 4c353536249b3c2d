"""Workshop Template System: six A2A agents that turn repositories into Showroom workshops."""

__version__ = "0.1.0"
