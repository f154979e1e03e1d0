"""Who hears what: events become outbox rows for their recipients (nothing is sent here), and
the Web Push subscriptions those rows may go to (subscriptions.py)."""
