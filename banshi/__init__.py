"""Banshi (办事): an integrated government-services platform for "getting one thing done" (高效办成一件事)."""

__version__ = "0.1.0"
