"""Template filters of the import and export pages."""
