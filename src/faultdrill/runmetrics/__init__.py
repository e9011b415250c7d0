"""Metrics of runs for Prometheus: a textfile-collector file or a Pushgateway push."""
