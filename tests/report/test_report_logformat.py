from __future__ import annotations

import json
import logging

from faultdrill.report.logformat import JsonFormatter


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord(
        "faultdrill.runner", logging.INFO, "f.py", 1, msg, args, None
    )
    entry.__dict__.update(extra)
    return entry


def test_a_log_line_is_one_json_object_with_the_message_merged() -> None:
    line = JsonFormatter().format(record("fault %s applied", "latency"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "fault latency applied"
    assert entry["level"] == "info"
    assert entry["logger"] == "faultdrill.runner"
    assert entry["ts"].endswith("+00:00")


def test_extra_fields_are_kept_as_keys() -> None:
    entry = json.loads(
        JsonFormatter().format(record("x", run_id="abc", phase="during"))
    )
    assert (entry["run_id"], entry["phase"]) == ("abc", "during")


def test_exceptions_carry_their_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logger = logging.getLogger("t")
        entry = logger.makeRecord("t", logging.ERROR, "f.py", 1, "failed", (), None)
        import sys

        entry.exc_info = sys.exc_info()
    parsed = json.loads(JsonFormatter().format(entry))
    assert "ValueError: boom" in parsed["exc"]
