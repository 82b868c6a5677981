"""Wijkregie: information position and direction for area-based liveability and safety."""

__version__ = "0.1.0"
