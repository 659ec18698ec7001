"""Vendored browser assets for offline maps (see ``build_assets.py`` in this folder)."""
