"""Idea Portal: an internal idea-exchange portal (API, domain and migrations)."""
