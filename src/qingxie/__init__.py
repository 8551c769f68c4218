"""qingxie (青协): the information platform of China's youth volunteer associations."""

__version__ = "0.1.0"
