"""Demo trainings (placeholder, filled below)."""


def demo_trainings_load() -> None:
    """Load the demo trainings once."""
