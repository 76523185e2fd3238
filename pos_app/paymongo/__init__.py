"""paymongo."""
