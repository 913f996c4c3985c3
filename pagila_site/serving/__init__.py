"""What serving needs beyond Django's own request handling, in the order a request meets it.

``pagila_site/asgi.py`` is the entry point: :mod:`.catalogue_cache` answers cached public
catalogue pages first, :mod:`.bridge` hands every other request to Django (sync views on a
thread pool, the async AI views on Django's ASGI handler), and :mod:`.middleware` tags and logs
each request inside Django. :mod:`.logging` writes those logs as JSON lines, :mod:`.db_router`
sends catalogue reads to a replica when one is configured.
"""
