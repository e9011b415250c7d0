"""The embedded Toxiproxy-compatible fault proxy."""
