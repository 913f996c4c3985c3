"""Development and test databases: the embedded PostgreSQL server and the Pagila loader.

Nothing here imports Django: ``make`` runs ``python -m pagila_site.devdb run -- CMD`` before any
settings exist, to start the server and hand ``CMD`` its ``DATABASE_URL``. The settings never
start a server themselves. The loader (:mod:`.pagila`) needs nothing but psycopg, so
``manage.py load_pagila`` uses it in the production image too; the embedded server's binaries
are a development requirement only.
"""
