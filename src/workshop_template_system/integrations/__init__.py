"""Adapters to the tools and services outside the package: each translates its failures into our errors."""
