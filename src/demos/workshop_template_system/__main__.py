"""`python -m demos.workshop_template_system --agent-name X --port 8080`, the command every deployment uses."""

from workshop_template_system.cli import main

if __name__ == "__main__":
    main()
