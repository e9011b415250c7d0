"""Telling people and pipelines what a run did: webhooks."""
