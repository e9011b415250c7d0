"""The experiment lifecycle: gate, steady state, method, rollback, verdict."""
