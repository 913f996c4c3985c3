# Production image: gunicorn with uvicorn workers serving the ASGI app, DEBUG off.
# It never creates the development token or a default superuser: issue tokens with
#   docker compose exec app python manage.py issue_token <staff-username>
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app app

# The runtime requirements only: tests, tools and the embedded PostgreSQL (requirements-dev.txt)
# stay out of the image.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time and served by the app (WhiteNoise).
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --no-input -v 0

USER app
EXPOSE 8000
ENV WEB_CONCURRENCY=2 HOST=0.0.0.0 PORT=8000
# Migrations are idempotent; loading Pagila is left to the operator (see README) unless
# LOAD_PAGILA=true asks for it on an empty database.
CMD ["sh", "-c", "if [ \"$LOAD_PAGILA\" = true ]; then python manage.py load_pagila --if-absent; fi && python manage.py migrate --no-input && exec scripts/serve"]
