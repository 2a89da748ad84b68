"""Request scoring for tier selection."""
