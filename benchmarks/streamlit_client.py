"""A user's session driven through Streamlit's own protocol, as its frontend drives it, without drawing anything.

What the browser's frontend does on opening an app (Streamlit 1.67: frontend/app/src/connection/WebsocketConnection
and App.tsx; the server's side in streamlit/web/server/starlette/starlette_websocket.py and runtime/app_session.py):
GET /_stcore/health and /_stcore/host-config, open the websocket /_stcore/stream (subprotocol "streamlit", the
page's cookies in the handshake: st.context.cookies), send a BackMsg rerun_script whose ClientState names the page
by its address (page_name, empty for the default page), then receive ForwardMsgs: new_session at each run's start,
deltas (the elements), script_finished at its end. A widget changed or a form submitted is another rerun_script
carrying the widget states (WidgetStates: the widget's id from its delta, and its value).

Two things a browser does on its own are done here too, so that the server does the same work:
- a login form (streamlit-authenticator's: two text inputs and a form submit button) is filled and submitted when
  a user name and password are given;
- a custom component answers: extra_streamlit_components' CookieManager sends its value back once per element
  (getAll: the page's cookies; set/delete: true), which makes Streamlit run the script again. The app no longer
  draws one (access._NoCookieComponent); the answer is kept so that older commits of the app are driven alike.

Streamlit ships the `websockets` client (a dependency of streamlit 1.67, through which uvicorn serves): no new
dependency.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

RUN_OVER = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
COOKIE_MANAGER = "cookie_manager"  # extra_streamlit_components.CookieManager.cookie_manager


@dataclass
class Visit:
    """What one session saw: seconds from its start (before the first HTTP request) to the first Plotly chart and to
    the end of the run that drew it, the runs it took, the errors, and the metrics of the last run (label: value)."""

    connected: float | None = None  # the websocket open
    run_started: float | None = None  # the first run's new_session received
    first_chart: float | None = None
    settled: float | None = None
    runs: int = 0
    errors: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    upstream: str | None = None  # the X-Upstream header of the health check, when a proxy adds one


async def http_get(base: str, path: str, local_addr: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP/1.1 GET (status, headers, body): the frontend's health and host-config requests."""
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(
        parts.hostname, parts.port, local_addr=(local_addr, 0) if local_addr else None)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _sep, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return int(lines[0].split()[1]), headers, body


def _unchunk(body: bytes) -> bytes:
    out, rest = b"", body
    while rest:
        size_line, _sep, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


class Session:
    """One user's session: `await session.visit()` opens the page and follows it until its chart is drawn and its
    runs are over; the websocket stays open (the server keeps the session) until `await session.close()`."""

    def __init__(self, base: str, page: str = "", *, username: str | None = None, password: str | None = None,
                 cookies: dict[str, str] | None = None, answer_components: bool = True,
                 local_addr: str | None = None):
        self.base, self.page = base.rstrip("/"), page
        self.username, self.password = username, password
        self.cookies = dict(cookies or {})
        self.answer_components = answer_components
        self.local_addr = local_addr
        self.visit_result = Visit()
        self._ws: ClientConnection | None = None
        self._states: dict[str, WidgetState] = {}  # the values this user has given, sent with every rerun
        self._answered: set[str] = set()
        self._drain: asyncio.Task | None = None

    async def visit(self, timeout: float = 300) -> Visit:
        started = time.perf_counter()
        try:
            await asyncio.wait_for(self._visit(started), timeout)
        except TimeoutError:
            self.visit_result.errors.append(f"no chart and run's end within {timeout:.0f} s")
        except Exception as exc:  # noqa: BLE001 (a refused or dropped connection is this session's error)
            self.visit_result.errors.append(f"{type(exc).__name__}: {exc}")
        return self.visit_result

    async def close(self) -> None:
        if self._drain is not None:
            self._drain.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def _visit(self, started: float) -> None:
        result = self.visit_result
        status, headers, body = await http_get(self.base, "/_stcore/health", self.local_addr)
        if status != 200 or body != b"ok":
            raise RuntimeError(f"health check answered {status} {body[:80]!r}")
        result.upstream = headers.get("x-upstream")
        await http_get(self.base, "/_stcore/host-config", self.local_addr)
        header = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await connect(
            url, subprotocols=["streamlit"], origin=self.base, additional_headers=header, max_size=None,
            open_timeout=None, ping_interval=None,
            local_addr=(self.local_addr, 0) if self.local_addr else None)
        result.connected = time.perf_counter() - started
        await self._send_rerun()
        await self._until_settled(started, want_chart=True)
        self._drain = asyncio.create_task(self._drain_forever())

    async def _send_rerun(self) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = ""
        state.page_name = self.page
        state.context_info.url = f"{self.base}/{self.page}"
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.widget_states.widgets.extend(self._states.values())
        for wid in [w for w, s in self._states.items() if s.WhichOneof("value") == "trigger_value"]:
            del self._states[wid]  # a button's press is sent once
        await self._ws.send(msg.SerializeToString())

    async def _until_settled(self, started: float, want_chart: bool) -> None:
        """Receive until a run is over with nothing left to do: a chart drawn (when wanted), no component to answer,
        no login form to submit. Each rerun sends only the values this user gave (a browser sends every widget's:
        enough for a first visit and a login, not for reruns of a page with widgets of its own)."""
        result = self.visit_result
        form: dict[str, str] = {}  # "username", "password", "submit" -> widget id, from this run's deltas
        to_answer: dict[str, str] = {}  # component widget id -> its JSON value
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self._ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                if result.run_started is None:
                    result.run_started = time.perf_counter() - started
                result.runs += 1
                form.clear()
                result.metrics.clear()
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, started, form, to_answer)
            elif kind == "page_not_found":
                result.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
            elif kind == "script_finished" and msg.script_finished in RUN_OVER:
                if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    result.errors.append("the script did not compile")
                    return
                if to_answer and self.answer_components:
                    for wid, value in to_answer.items():
                        self._states[wid] = WidgetState(id=wid, json_value=value)
                    self._answered.update(to_answer)
                    to_answer.clear()
                    await self._send_rerun()
                elif form and self.username is not None and "submit" in form:
                    self._states[form["username"]] = WidgetState(id=form["username"], string_value=self.username)
                    self._states[form["password"]] = WidgetState(id=form["password"], string_value=self.password or "")
                    self._states[form["submit"]] = WidgetState(id=form["submit"], trigger_value=True)
                    self.username = None  # one attempt
                    await self._send_rerun()
                else:
                    if want_chart and result.first_chart is None:
                        result.errors.append("the page's runs ended without a Plotly chart")
                    result.settled = time.perf_counter() - started
                    return

    def _element(self, element, started: float, form: dict[str, str], to_answer: dict[str, str]) -> None:
        result = self.visit_result
        kind = element.WhichOneof("type")
        if kind == "plotly_chart" and result.first_chart is None:
            result.first_chart = time.perf_counter() - started
        elif kind == "exception":
            result.errors.append(f"exception: {element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            result.errors.append(f"error shown: {element.alert.body}")
        elif kind == "metric":
            result.metrics[element.metric.label] = element.metric.body
        elif kind == "text_input":
            form["password" if element.text_input.type == element.text_input.PASSWORD else "username"] = \
                element.text_input.id
        elif kind == "button" and element.button.is_form_submitter:
            form["submit"] = element.button.id
        elif kind == "component_instance" and element.component_instance.component_name.endswith(COOKIE_MANAGER):
            wid = element.component_instance.id
            if wid not in self._answered:
                method = json.loads(element.component_instance.json_args).get("method")
                to_answer[wid] = json.dumps(self.cookies if method == "getAll" else True)

    async def _drain_forever(self) -> None:
        """Read what the server still sends (nothing, normally), so that its send queue never fills."""
        try:
            async for _message in self._ws:
                pass
        except Exception:  # noqa: BLE001 (closed: the session is over)
            result.errors.append(f"error shown: {element.alert.body}")
