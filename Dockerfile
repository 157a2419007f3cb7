# One image for every role: `portal migrate`, `portal serve`, `portal worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORTAL_MIGRATIONS_DIR=/app/sql \
    PORTAL_HOST=0.0.0.0 \
    PORTAL_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY workers ./workers
COPY sql ./sql
RUN apt-get update && apt-get install -y --no-install-recommends procps \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir . && useradd --system --uid 10001 portal
USER portal

EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"
CMD ["portal", "serve"]
