"""Configuration: the immutable model and the loader that validates it."""

from daemon.config.load import find_config_path, format_problems, load_config, load_config_file
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
    "find_config_path",
    "format_problems",
    "load_config",
    "load_config_file",
]
