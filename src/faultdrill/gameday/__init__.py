"""Game days: several experiments in order, gated, stoppable and resumable."""
