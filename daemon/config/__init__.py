"""Configuration: the immutable model and the loader that validates it."""

from daemon.config.model import (
    TIERS,
    Config,
    ConfigError,
    Problem,
    ProviderConfig,
    RoutingConfig,
    ServerConfig,
    Target,
    TierConfig,
)

__all__ = [
    "TIERS",
    "Config",
    "ConfigError",
    "Problem",
    "ProviderConfig",
    "RoutingConfig",
    "ServerConfig",
    "Target",
    "TierConfig",
]
