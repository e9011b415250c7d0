"""Experiment files: Chaos Toolkit format plus faultdrill's own keys."""
