"""What the test suites of every app share; never imported by the running app.

- :mod:`.plugin`: the pytest plugin (``pytest.ini``) giving test defaults to settings and marking
  the tests that need a server, a browser or racing threads;
- :mod:`.testdb`: the template database (Pagila + migrations) that every run clones;
- :mod:`.live`: the app served for real in a subprocess, and the fake model provider in a thread;
- :mod:`.fake_openai`: that provider, a real HTTP server speaking OpenAI's protocol;
- :mod:`.streaming`: HTTP clients that see a stream's bytes as they arrive;
- :mod:`.concurrency`: racing real transactions against each other;
- :mod:`.queries`: the query count of a request, and the ``query_counts.json`` baselines (a plugin);
- :mod:`.data`: Pagila rows read with plain SQL, and rows the tests know by heart;
- :mod:`.rentals`: renting a copy through the API;
- :mod:`.asgi`: one GET through an ASGI middleware in-process;
- :mod:`.browser`: headless Chromium (Debian's, driven by Playwright) and screenshots;
- :mod:`.commands`: ``manage.py`` in a subprocess with other environment variables;
- :mod:`.contract`: what the contract fixes that several tests check;
- :mod:`.exports`: CSV exports of a served app driven from outside;
- :mod:`.two_factor`: an authenticator app's codes, and enrolling one;
- :mod:`.workers`: a connection to each worker of a production live server.

Test modules import from here, never from another test module or another app's ``tests``.
"""
