"""Build hook: a wheel carries the browser libraries (src/qingxie/vendor.py) from node_modules.

Everything else about the package is in pyproject.toml. `npm ci` must have run before
`pip wheel .` / `python -m build` (./run install does both); an editable install skips it.
"""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithBrowserAssets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # a checkout reads node_modules directly
        spec: dict = {}
        exec((HERE / "src/qingxie/vendor.py").read_text(encoding="utf-8"), spec)
        modules = Path(os.environ.get("QINGXIE_NODE_MODULES") or HERE / "node_modules")
        target = Path(self.build_lib) / "qingxie" / "vendor_assets"
        for name, rel in {**spec["VENDOR_FILES"], **spec["LICENCE_FILES"]}.items():
            source = modules / rel
            if not source.is_file():
                raise SystemExit(f"{source} is missing: run `npm ci` before building the wheel")
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)


setup(cmdclass={"build_py": BuildWithBrowserAssets})
