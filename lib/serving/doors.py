"""The service's doors: what a request must get past before FastAPI parses it.

Two ASGI middlewares, registered through ZenML's ``DeploymentSettings``:

- :class:`RequireKey` (installed by the app extension :func:`require_key_everywhere`): every
  path but ``/health`` needs ``Authorization: Bearer <key>`` — ``/docs``, ``/openapi.json``,
  ``/info`` and ``/metrics`` included, which ZenML leaves open. A deployment without a key
  does not start.
- :class:`BodyChecks` (``custom_middlewares``): a body over ``max_bytes`` is answered 413
  before it is read whole; a JSON body naming one key twice, or nesting deeper than
  ``max_depth``, is answered 422 naming the key (JSON allows duplicate keys and Python keeps
  the last value, so an invalid first value would otherwise vanish without a word).

:func:`refuse_submit` builds the endpoint that replaces ZenML's ``POST /submit``.
"""

from __future__ import annotations

import hmac
import json

from fastapi import HTTPException

MAX_DEPTH = 32
"""Deepest nesting a body may have; the kit's bodies nest three levels."""


async def _answer(send, status: int, body: dict, headers: list | None = None) -> None:
    payload = json.dumps(body).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": status, "headers": head + (headers or [])})
    await send({"type": "http.response.body", "body": payload})


def _refusal(loc: list[str], msg: str, kind: str) -> dict:
    return {"detail": [{"loc": loc, "msg": msg, "type": kind}]}


class _Pairs(list):
    """A JSON object as parsed, with its keys in order and duplicates kept."""


def _first_repeat(keys) -> str | None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


def body_problem(body: bytes, max_depth: int = MAX_DEPTH) -> dict | None:
    """The first duplicate key or excess nesting in a JSON body, as a 422 ``detail`` entry.

    Returns ``None`` when the body has neither, or is not JSON at all (FastAPI then answers
    it). ``loc`` is the path to the duplicated key: ``["body", "parameters", "features",
    "mean radius"]``.
    """
    too_deep = _refusal(["body"], f"the body nests deeper than {max_depth} levels", "too_deep")
    try:
        parsed = json.loads(body, object_pairs_hook=_Pairs)
    except RecursionError:
        return too_deep["detail"][0]
    except ValueError:
        return None
    stack = [(parsed, ["body"])]
    while stack:
        node, loc = stack.pop()
        if len(loc) > max_depth:
            return too_deep["detail"][0]
        if isinstance(node, _Pairs):
            twice = _first_repeat(key for key, _ in node)
            if twice is not None:
                msg = f"the key {twice!r} is given more than once"
                return _refusal([*loc, twice], msg, "duplicate_key")["detail"][0]
            stack.extend((value, [*loc, key]) for key, value in reversed(node))
        elif isinstance(node, list):
            stack.extend((value, [*loc, str(i)]) for i, value in reversed(list(enumerate(node))))
    return None


class BodyChecks:
    """ASGI middleware: 413 for a body over ``max_bytes``, 422 for a duplicate key or deep nesting.

    Reads the body once, checks it, then hands the same bytes on to the app.
    """

    def __init__(self, app, max_bytes: int = 65536, max_depth: int = MAX_DEPTH) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def _too_large(self, send) -> None:
        msg = f"request body is larger than {self.max_bytes} bytes"
        await _answer(send, 413, _refusal(["body"], msg, "too_large"))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._too_large(send)
                return
        messages, chunks, size = [], [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        problem = body_problem(b"".join(chunks), self.max_depth)
        if problem is not None:
            await _answer(send, 422, {"detail": [problem]})
            return
        replay = iter(messages)

        async def replayed():
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replayed, send)


class RequireKey:
    """ASGI middleware: every path but the open ones needs ``Authorization: Bearer <key>``."""

    def __init__(self, app, key: str, open_paths: tuple[str, ...] = ("/health",)) -> None:
        if not key:
            raise ValueError("RequireKey needs a key")
        self.app = app
        self._key = key.encode()
        self.open_paths = frozenset(open_paths)

    def _authorized(self, scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, token = value.partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self._key)
        return False

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths:
            await self.app(scope, receive, send)
            return
        if not self._authorized(scope):
            await _answer(
                send,
                401,
                {"detail": "a valid 'Authorization: Bearer <key>' header is required"},
                [(b"www-authenticate", b"Bearer")],
            )
            return
        await self.app(scope, receive, send)


def require_key_everywhere(app_runner) -> None:
    """App extension: put :class:`RequireKey` in front of the whole app (all but ``/health``).

    The key is the one the deployer generated for this deployment. Without one the deployment
    refuses to start rather than serve open doors.
    """
    key = app_runner.deployment.auth_key
    if not key:
        raise RuntimeError(
            f"deployment {app_runner.deployment.name!r} has no auth key; deploy it with "
            "generate_auth_key=True (lib.serving.app.deployment_settings does)"
        )
    settings = app_runner.settings
    health = f"{settings.root_url_path}{settings.api_url_path}{settings.health_url_path}"
    app_runner.asgi_app.add_middleware(RequireKey, key=key, open_paths=(health,))


SUBMIT_REFUSED = (
    "this service does not take /submit (a run started in the background, its answer never "
    "returned): POST /invoke runs the pipeline and answers with its result"
)


def refuse_submit(app_runner):
    """Endpoint builder replacing ZenML's ``POST /submit``: answers 404 and starts nothing."""

    def submit() -> None:
        """Refused: use ``POST /invoke`` (or ``POST /predict``)."""
        raise HTTPException(status_code=404, detail=SUBMIT_REFUSED)

    return submit
