"""Lynkr daemon: the proxy, router and control API. Never imports Textual."""

__version__ = "0.1.0"
