"""Allow `python -m qingxie …`."""

from qingxie.cli import main

main()
