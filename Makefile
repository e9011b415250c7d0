# The two entry points of the README. Each prepares the machine first.
.PHONY: demo test bench

demo:
	@scripts/bootstrap run
	@scripts/demo

test:
	@scripts/bootstrap test
	@.venv/bin/python -m pytest

bench:
	@scripts/bootstrap test
	@.venv/bin/python bench/run_all.py
