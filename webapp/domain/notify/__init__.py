"""Who hears what. A change that should tell someone writes, in its own transaction, a bell item
per staff user or volunteer and one outbox row per (event, recipient, channel) for the worker;
nothing here sends. feed.py finds the changes (new timeline events, bookings, shifts,
redemptions) as the session flushes them; rules.py says who hears of each; outbox.py stores
and hands out the rows; messages.py words them in the recipient's language; subscriptions.py keeps
the Web Push subscriptions the rows may go to."""
