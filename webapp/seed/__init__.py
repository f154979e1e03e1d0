"""Data, not rules: the demo community, the standard categories of a first community."""
