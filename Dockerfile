# studybot: a slim image running as a non-root user, its database on the /data volume.
# Installed in place (-e) so content/ and prompts/ resolve beside the package.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STUDYBOT_DATABASE_URL=sqlite+aiosqlite:////data/studybot.sqlite3 \
    STUDYBOT_CONTENT_DIR=/app/content

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY prompts ./prompts
RUN pip install -e . \
    && useradd --create-home --uid 10001 studybot \
    && mkdir -p /data && chown studybot:studybot /data

USER studybot
VOLUME ["/data"]

# Healthy once the database opens and is migrated; the bot migrates it at start.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
    CMD ["studybot", "health"]

ENTRYPOINT ["studybot"]
CMD ["run"]
