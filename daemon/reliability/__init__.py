"""Surviving upstream failures and overload: circuit breakers, retry backoff, admission control."""
