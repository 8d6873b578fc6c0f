"""The demo world: fabnet's own example designs and a synthetic world of facilities.

Pure generation code: it builds domain objects from packaged data and a seed, and never touches
storage. :mod:`fabnet.services.demo.demo` loads what it generates into a database.
"""
