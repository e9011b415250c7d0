"""The fault ledger: every fault written down before it is applied."""
