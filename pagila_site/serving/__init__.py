"""What serving needs beyond Django's own request handling, in the order a request meets it.

``pagila_site/asgi.py`` is the entry point. :mod:`.catalogue_cache` answers cached public
catalogue pages, then :mod:`.app` hands every other request to Django's ASGI handler (sync
views on a fixed thread pool, the async AI views on the event loop, chosen by resolving the
URL), and :mod:`.middleware` tags and logs
each request inside Django. :mod:`.logging` writes those logs as JSON lines, :mod:`.db_router`
sends catalogue reads to a replica when one is configured.
"""
