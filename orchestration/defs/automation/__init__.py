"""What keeps the warehouse running unattended: the refresh job, the landing sensor that starts it, the run-failure
alert and the delivery freshness check (docs/operations.md)."""
