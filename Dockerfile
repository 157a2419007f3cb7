# One image for every role: `portal migrate`, `portal serve`, `portal worker`, `portal scheduler`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORTAL_MIGRATIONS_DIR=/app/sql \
    PORTAL_HOST=0.0.0.0 \
    PORTAL_PORT=8080 \
    PORTAL_METRICS_HOST=0.0.0.0 \
    PORTAL_HEARTBEAT_DIR=/tmp/portal-heartbeats

WORKDIR /app
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY workers ./workers
COPY sql ./sql
RUN pip install --no-cache-dir . && useradd --system --uid 10001 portal
USER portal

# 8080: the API; 9191, 9192: the worker's and the scheduler's metrics.
EXPOSE 8080 9191 9192
# `portal health` checks the role this container runs (its first process): the API's /readyz,
# or the worker's or scheduler's heartbeat.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["portal", "health"]
CMD ["portal", "serve"]
