# The conduct bot: slim Python, non-root, knowledge base inside, token from a secret file.
# Built in two stages so the image holds the installed package once (its bundled knowledge
# base included), not the sources beside it.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 conduct \
    && mkdir -p /data \
    && chown conduct:conduct /data

USER conduct
WORKDIR /home/conduct
# The token comes from a secret file (docker run --secret / compose secrets), never the image;
# only `conduct-bot run` reads it, so `ask` and `validate` work without it.
# With --webhook, listen on the container's network for a TLS proxy in another container
# (the bot's own default is loopback); publish the port to the proxy only.
ENV TELEGRAM_BOT_TOKEN_FILE=/run/secrets/telegram_bot_token \
    DATA_DIR=/data \
    WEBHOOK_LISTEN=0.0.0.0
VOLUME ["/data"]
CMD ["conduct-bot", "run"]
