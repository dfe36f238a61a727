"""Sending Bot API requests over aiohttp instead of python-telegram-bot's httpx client.

python-telegram-bot sends through any `BaseRequest`; its own, HTTPXRequest, goes through
httpx, httpcore and anyio. Profiled against the loopback emulator (benchmarks/README.md),
that stack took most of the bot's CPU: httpcore walks its whole connection pool twice per
request (and asks the kernel about every idle connection each time), and it retries a failed
`import sniffio` on every lock and event where anyio no longer brings sniffio. A bare echo
bot on HTTPXRequest answered about 550 updates a second; on this class, several times more.

aiohttp is a dependency already (the emulator behind the playground), keeps its idle
connections in a per-host stack (the most recently used first, no scan) and parses HTTP in
C. The errors it raises are mapped as HTTPXRequest maps httpx's: a timeout is TimedOut, any
other failure NetworkError, each with the aiohttp exception as its cause, so that
bot.retry can tell a request that never left (no connection made or free) from one that
may have been carried out.
"""

from __future__ import annotations

import logging
import select
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# At DEBUG, one line per request, as httpx writes it (the token in the URL is redacted by
# bot.logs like everything else).
logger = logging.getLogger(__name__)


class AiohttpRequest(BaseRequest):
    """A BaseRequest on one aiohttp session, with HTTPXRequest's parameters and defaults.

    `pool_timeout` and `connect_timeout` add up to aiohttp's `connect` (waiting for a free
    connection includes making one); `write_timeout` has no aiohttp counterpart (the bot
    sends small requests) and is accepted for python-telegram-bot's calls only.
    """

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        # Made here, in the running loop, which aiohttp requires; again after a shutdown.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=_CheckedConnector(limit=self._pool_size, limit_per_host=0),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        waiting = None if connect is None or pool is None else connect + pool
        timeout = aiohttp.ClientTimeout(
            total=None, connect=waiting, sock_connect=connect, sock_read=read
        )
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                payload = await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(f"Timed out ({type(error).__name__})") from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {_reason(error)}") from error
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                'HTTP Request: %s %s "HTTP/%s %d %s"',
                method,
                url,
                ".".join(map(str, response.version or ())),
                response.status,
                response.reason,
            )
        return response.status, payload


class _CheckedConnector(aiohttp.TCPConnector):
    """A pooled connection is checked before it is used again: the server may have closed it
    a moment ago (Telegram closes idle connections; the emulator does when it goes down), and
    a request written into a closed connection fails as a reset, which cannot be told from a
    request the server received. One poll of the one connection taken, as httpcore does for
    every idle connection it holds."""

    async def connect(  # the signature is aiohttp's own
        self,
        req: Any,
        traces: Any,
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109
    ) -> Any:
        while True:
            connection = await super().connect(req, traces, timeout)
            transport = connection.transport
            sock = transport.get_extra_info("socket") if transport is not None else None
            if sock is None or not _readable(sock.fileno()):
                return connection
            connection.close()  # an idle HTTP connection with something to read is closing


def _readable(fd: int) -> bool:
    """Whether the socket has something to read now: an idle one only when it is closing."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _body(request_data: RequestData | None) -> Any:
    """Form fields, as HTTPXRequest sends them; multipart when there are files to upload."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        filename, content, *rest = upload
        form.add_field(name, content, filename=filename, content_type=rest[0] if rest else None)
    return form


def _reason(error: aiohttp.ClientError) -> str:
    """What went wrong, without the request's URL (which holds the bot's token)."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return error.strerror or "cannot connect"
    if isinstance(error, aiohttp.ClientOSError):
        return error.strerror or type(error).__name__
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "server disconnected"
    return type(error).__name__
