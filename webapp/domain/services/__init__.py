"""Services residents book and volunteers serve: the catalogue, slots and bookings, care
cards, the points ledger and rewards, calendars. Never uses reports/."""
