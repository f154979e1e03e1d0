"""Used by every area: tokens (every secret link and code), photos, phone numbers."""
