"""The browser libraries qingxie serves, taken from npm packages (package.json) at install time.

Plain data with no Django import: `setup.py` reads it to copy the files into a built wheel
(`qingxie/vendor_assets/`), so an installed package serves them without the source tree or
npm; in a checkout they are read from `node_modules` (core.staticfinders.NodeModulesFinder).
"""

#: Static path served → path inside node_modules.
VENDOR_FILES = {
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
}

#: Their licences (Apache-2.0 asks for the licence and NOTICE to travel with the file).
LICENCE_FILES = {
    "licences/echarts/LICENSE": "echarts/LICENSE",
    "licences/echarts/NOTICE": "echarts/NOTICE",
    "licences/htmx.org/LICENSE": "htmx.org/LICENSE",
}
