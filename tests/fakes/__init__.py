"""Fake outside services on 127.0.0.1 that check what they receive and record it."""
