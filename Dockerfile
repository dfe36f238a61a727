# The conduct bot: slim Python, non-root, knowledge base inside, token from a secret file.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip install . \
    && useradd --create-home --uid 10001 conduct \
    && mkdir -p /data \
    && chown conduct:conduct /data

USER conduct
# The token comes from a secret file (docker run --secret / compose secrets), never the image.
ENV TELEGRAM_BOT_TOKEN_FILE=/run/secrets/telegram_bot_token \
    DATA_DIR=/data
VOLUME ["/data"]
CMD ["conduct-bot", "run"]
