"""`python -m workshop_template_system`: the same command line as `workshop-template-system`."""

from workshop_template_system.cli import main

if __name__ == "__main__":
    main()
