"""Provider adapters.

Each module in this package that defines ``PROVIDERS = {"type-name": Class}``
contributes provider types; nothing else lists them, so adding a provider is
adding one module.
"""
