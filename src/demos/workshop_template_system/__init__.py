"""Shim package: `python -m demos.workshop_template_system` runs the real command line."""
