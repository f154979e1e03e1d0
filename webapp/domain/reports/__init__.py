"""Reports and their loop: intake, transitions, the timeline, SLA clocks, routing, the
queue, the board and export, privacy. May use places/, people/, services.care_cards and
shared/."""
