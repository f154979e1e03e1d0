"""Compounds, buildings and entrances: found from a code or an address, edited,
imported, and their codes printed."""
