"""一事一议: consultations the households of a place decide — rooms, opening, ballot slips and
votes, the rule at the deadline, cost shares and payments."""
