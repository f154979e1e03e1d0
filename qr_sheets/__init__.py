"""QR posters and label sheets as vector PDF/SVG. A pure library: nothing from webapp/ or Flask.

Poster and label rendering arrive with the printing issue; the codes themselves are bound to
places in webapp/models/places.py.
"""
