"""Entry points kept for the deployment command `python -m demos.workshop_template_system`."""
