"""The `qingxie` command: every subcommand is a Django management command (setup, serve, demo, …)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run `qingxie <subcommand> …` with qingxie's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingxie.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["qingxie", *args])


if __name__ == "__main__":
    main()
