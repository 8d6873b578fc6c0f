"""Persistence adapters: SQLAlchemy tables, repositories, migrations and the file store.

Public entry points: :class:`fabnet.storage.db.Database`, :func:`fabnet.storage.migrate.upgrade`,
:class:`fabnet.storage.designs.DesignRepository`,
:class:`fabnet.storage.facilities.FacilityRepository`, :class:`fabnet.storage.files.FileStore`,
:func:`fabnet.storage.registry.registry_version`. New tables derive from
:class:`fabnet.storage.base.Base` in a module under this package and get a new migration file.
"""
