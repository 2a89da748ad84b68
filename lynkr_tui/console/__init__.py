"""The operator console (``lynkr watch``): a Textual app over the daemon's control socket."""
