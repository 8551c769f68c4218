"""Serve selected files from npm packages installed at install time, and tolerant static storage."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class NodeModulesFinder(BaseFinder):
    """Expose only the files named in QINGXIE_VENDOR_FILES from node_modules (no CDN), or from
    the copies an installed wheel carries (`qingxie/vendor_assets/`, made by setup.py)."""

    def _files(self) -> dict[str, Path]:
        root = Path(settings.NODE_MODULES_DIR)
        # An installed wheel has no node_modules: its build copied the files beside the code.
        packaged = Path(__file__).resolve().parent.parent / "vendor_assets"
        found = {}
        for name, rel in settings.QINGXIE_VENDOR_FILES.items():
            path = root / rel
            found[name] = (
                path if path.exists() or not (packaged / name).exists() else packaged / name
            )
        return found

    def check(self, **kwargs):
        # Once collected into STATIC_ROOT the files are served from there; node_modules may go.
        missing = [
            str(p)
            for name, p in self._files().items()
            if not p.exists() and not (Path(settings.STATIC_ROOT) / name).exists()
        ]
        if missing:
            return [
                Error(
                    "Browser libraries are not installed: " + ", ".join(missing),
                    hint="Run `npm ci` in the repository (./run does it for you).",
                    id="qingxie.E001",
                )
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        found = self._files().get(path)
        if found and found.exists():
            return [str(found)] if find_all else str(found)
        return [] if find_all else None

    def list(self, ignore_patterns):
        for name, path in self._files().items():
            if path.exists():
                # collectstatic joins storage.prefix and the listed name; keep the file's basename.
                storage = FileSystemStorage(location=str(path.parent))
                storage.prefix = str(Path(name).parent)
                yield path.name, storage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; unhashed names before the first collectstatic (tests)."""

    manifest_strict = False
