"""Reports that arrive: subscriptions kept in the store, and `seizures send-reports`, which builds each report that is
due and e-mails it (SMTP) or writes it to a folder, recording what was sent.

A subscription names a recipient, an e-mail address or a folder on the server, the sidebar filter as URL parameters
(as a shared link holds it), a language, a format (PDF or Excel) and how often: monthly or quarterly. It is due once
per cycle, the calendar month or quarter of the run ("2025-06", "2025-Q2"): the report holds the filter's period as
the pages show it then (an open period reaches to the data's last year), with its data-as-of date on the first page.

Safe to run twice, from cron or a systemd timer. Each (subscription, cycle) has one row in `report_deliveries`,
written before anything is sent and updated after:

1. claim: the row is inserted as "claimed" (the table's key refuses a second run's insert), with the e-mail's
   Message-ID chosen now and kept for every attempt;
2. the report is built; just before the SMTP transaction the row becomes "sending";
3. after the server accepted the message (or the file was renamed into place) the row becomes "sent".

A run skips a cycle already "sent", and one "claimed" or "sending" by another run less than the lease ago
(SEIZURES_SEND_LEASE_MINUTES, default 30). A row left "claimed" by a run that died is taken over after the lease:
nothing had been sent, so sending now loses nothing and duplicates nothing. A row left "sending" is the one case
that cannot be told apart (the server may have accepted the message just before the run died): it is sent again,
with the same Message-ID, so a reader's mail program can drop the copy; a report is never silently lost. A folder
report is written under a name fixed by subscription and cycle, through a temporary file renamed into place, so a
file already there was written whole and is not written again. A "failed" row (the server refused, the folder is
not writable) is tried again on the next run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, urlencode

import pandas as pd
import sqlalchemy as sa

from seizures import i18n, queries, reference, settings
from seizures.filters import (SeizureFilter, allowed_codes, from_query_params, region_aliases, to_query_params,
                              vocabulary_aliases)
from seizures.i18n import N_, _
from seizures.schema import report_deliveries, subscriptions

FREQUENCIES = {"monthly": N_("monthly"), "quarterly": N_("quarterly")}
FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FILTER_PARAMS = ("from", "to", "region", "category", "weapon", "context")
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SubscriptionError(ValueError):
    """A subscription that cannot be kept, or a run that cannot start: a one-line message naming the field."""


@dataclass(frozen=True)
class Subscription:
    id: int
    recipient: str
    email: str | None
    folder: str | None
    filter: str  # URL parameters
    language: str
    format: str
    frequency: str

    @property
    def destination(self) -> str:
        return self.email or self.folder or ""


# --- Keeping subscriptions ---------------------------------------------------------------------------------------


def parse_filter(engine: sa.Engine, params: str) -> SeizureFilter:
    """A subscription's filter from its URL parameters, as a shared link is read; anything the link would ignore
    (an unknown directorate, a year outside the data) is refused here, naming it."""
    pairs = parse_qsl(params.lstrip("?"), keep_blank_values=True)
    unknown = sorted({name for name, _value in pairs if name not in FILTER_PARAMS})
    if unknown:
        raise SubscriptionError(f"filter: unknown parameter(s) {', '.join(unknown)} "
                                f"(known: {', '.join(FILTER_PARAMS)})")
    regions, vocabulary = queries.region_list(engine), reference.read_vocabulary(engine)
    bounds = queries.year_bounds(engine) or (1900, dt.date.today().year)
    parsed = from_query_params(dict(pairs), allowed_codes(regions["code"], vocabulary), bounds,
                               aliases={**region_aliases(regions.to_dict("records")), **vocabulary_aliases(vocabulary)})
    if parsed.warnings:
        plain = [re.sub(r"`", "", w).removeprefix("Ignored ") for w in parsed.warnings]
        raise SubscriptionError("filter: " + " ".join(plain))
    return parsed.filter


def add(engine: sa.Engine, recipient: str, *, email: str | None = None, folder: str | None = None,
        filter: str = "", language: str = i18n.DEFAULT, format: str = "pdf", frequency: str = "monthly",
        user: str) -> int:
    """Keep a new subscription; returns its id. Refused whole (SubscriptionError) on any value it cannot use."""
    recipient = (recipient or "").strip()
    if not recipient or CONTROL.search(recipient) or len(recipient) > 200:
        raise SubscriptionError("recipient: give a name of at most 200 characters, on one line")
    email = (email or "").strip() or None
    folder = (folder or "").strip() or None
    if (email is None) == (folder is None):
        raise SubscriptionError("give either an e-mail address or a folder, not both")
    if email is not None and (not EMAIL.match(email) or len(email) > 254):
        raise SubscriptionError(f"e-mail: {email[:60]!r} is not an e-mail address")
    if folder is not None:
        path = Path(folder)
        if CONTROL.search(folder) or not path.is_absolute():
            raise SubscriptionError(f"folder: {folder[:80]!r} must be an absolute path on the server")
        if not path.is_dir() or not os.access(path, os.W_OK):
            raise SubscriptionError(f"folder: {folder[:80]} is not a folder this server can write to")
    if language not in i18n.LANGUAGES:
        raise SubscriptionError(f"language: {language!r} is not one of {', '.join(i18n.LANGUAGES)}")
    if format not in FORMATS:
        raise SubscriptionError(f"format: {format!r} is not one of {', '.join(FORMATS)}")
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"frequency: {frequency!r} is not one of {', '.join(FREQUENCIES)}")
    flt = parse_filter(engine, filter or "")
    stored = urlencode(to_query_params(flt), safe=",")  # codes, in one spelling
    with engine.begin() as conn:
        return conn.execute(subscriptions.insert().values(
            recipient=recipient, email=email, folder=folder, filter=stored, language=language, format=format,
            frequency=frequency, created_by=user, created_at=dt.datetime.now(),
        ).returning(subscriptions.c.id)).scalar_one()


def remove(engine: sa.Engine, subscription_id: int, user: str) -> None:
    """End a subscription (kept, marked removed, with the reports sent to it)."""
    s = subscriptions
    with engine.begin() as conn:
        done = conn.execute(
            s.update().where(s.c.id == subscription_id, s.c.removed_at.is_(None))
            .values(removed_at=dt.datetime.now(), removed_by=user).returning(s.c.id)
        ).all()
    if not done:
        raise SubscriptionError(f"no active subscription #{subscription_id}")


def active(engine: sa.Engine) -> list[Subscription]:
    s = subscriptions
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(s.c.id, s.c.recipient, s.c.email, s.c.folder, s.c.filter, s.c.language, s.c.format,
                      s.c.frequency).where(s.c.removed_at.is_(None)).order_by(s.c.id)
        ).all()
    return [Subscription(*row) for row in rows]


LIST_COLUMNS = ["id", "recipient", "email", "folder", "filter", "language", "format", "frequency", "created_by",
                "created_at", "removed_at", "last_cycle", "last_status", "last_sent_at"]


def listing(engine: sa.Engine, include_removed: bool = False) -> pd.DataFrame:
    """The subscriptions (active ones, or all) with their latest delivery: LIST_COLUMNS."""
    s, d = subscriptions, report_deliveries
    query = sa.select(s)
    if not include_removed:
        query = query.where(s.c.removed_at.is_(None))
    with engine.connect() as conn:
        subs = pd.DataFrame(conn.execute(query.order_by(s.c.id)).mappings().all(),
                            columns=[c.name for c in s.c])
        sent = pd.DataFrame(conn.execute(
            sa.select(d.c.subscription_id, d.c.cycle, d.c.status, d.c.sent_at, d.c.claimed_at)
            .order_by(d.c.claimed_at)).all(), columns=["subscription_id", "cycle", "status", "sent_at", "claimed_at"])
    latest = sent.groupby("subscription_id").tail(1).rename(columns={
        "subscription_id": "id", "cycle": "last_cycle", "status": "last_status", "sent_at": "last_sent_at"})
    return subs.merge(latest.drop(columns="claimed_at"), on="id", how="left")[LIST_COLUMNS]


DELIVERY_COLUMNS = ["subscription_id", "cycle", "status", "attempts", "claimed_at", "sent_at", "report_period",
                    "data_as_of", "message_id", "file_path", "error"]


def deliveries(engine: sa.Engine) -> pd.DataFrame:
    """Every report sent or tried, newest first: DELIVERY_COLUMNS."""
    d = report_deliveries
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*(d.c[c] for c in DELIVERY_COLUMNS)).order_by(d.c.claimed_at.desc())).all()
    return pd.DataFrame(rows, columns=DELIVERY_COLUMNS)


# --- What is due, and sending it --------------------------------------------------------------------------------


def cycle(frequency: str, day: dt.date) -> str:
    """The cycle a day falls in: its month ("2025-06") or its quarter ("2025-Q2")."""
    if frequency == "monthly":
        return f"{day:%Y-%m}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def due(engine: sa.Engine, now: dt.datetime | None = None) -> list[tuple[Subscription, str]]:
    """The active subscriptions whose report of the current cycle is not sent yet, with that cycle."""
    now = now or dt.datetime.now()
    d = report_deliveries
    with engine.connect() as conn:
        sent = set(conn.execute(sa.select(d.c.subscription_id, d.c.cycle).where(d.c.status == "sent")).all())
    out = []
    for sub in active(engine):
        current = cycle(sub.frequency, now.date())
        if (sub.id, current) not in sent:
            out.append((sub, current))
    return out


@dataclass(frozen=True)
class Outcome:
    subscription: Subscription
    cycle: str
    status: str  # sent | failed | busy (another run is sending it)
    detail: str  # the Message-ID or file, the error, or who holds it
    attempt: int = 0
    resent: bool = False  # sent again after a run that died while sending (the same Message-ID)


@dataclass(frozen=True)
class _Claim:
    attempt: int
    message_id: str
    was: str | None  # the status a run that died left: claimed | sending | failed; None for a first attempt


def _claim(engine: sa.Engine, sub: Subscription, cycle_: str, now: dt.datetime, lease: float,
           sender_domain: str) -> _Claim | str:
    """Take the (subscription, cycle) row for this run, or say why not: "sent" or "busy"."""
    d = report_deliveries
    key = (d.c.subscription_id == sub.id, d.c.cycle == cycle_)
    message_id = make_msgid(domain=sender_domain)
    try:
        with engine.begin() as conn:
            conn.execute(d.insert().values(subscription_id=sub.id, cycle=cycle_, status="claimed", attempts=1,
                                           claimed_at=now, message_id=message_id))
        return _Claim(1, message_id, None)
    except sa.exc.IntegrityError:
        pass  # a row exists: sent, being sent, or left by a run that failed or died
    with engine.begin() as conn:
        prior = conn.execute(sa.select(d.c.status, d.c.attempts, d.c.claimed_at, d.c.message_id).where(*key)).one()
        if prior.status == "sent":
            return "sent"
        if prior.status in ("claimed", "sending") and prior.claimed_at > now - dt.timedelta(seconds=lease):
            return "busy"
        # Taken only if no other run took it since it was read (every taking adds an attempt).
        taken = conn.execute(
            d.update().where(*key, d.c.attempts == prior.attempts)
            .values(status="claimed", attempts=prior.attempts + 1, claimed_at=now, error=None)
            .returning(d.c.attempts)
        ).all()
    if not taken:
        return "busy"
    return _Claim(prior.attempts + 1, prior.message_id or message_id, prior.status)


def _mark(engine: sa.Engine, sub: Subscription, cycle_: str, **values) -> None:
    d = report_deliveries
    with engine.begin() as conn:
        conn.execute(d.update().where(d.c.subscription_id == sub.id, d.c.cycle == cycle_).values(**values))


TEXT = i18n.Texts({
    "subject": N_("Firearms seizure report {period} ({cycle})"),
    "body": N_("Attached is the firearms seizure report for {period}, with the selection you subscribed to and its "
               "data as of {as_of} (both on its first page).\n\nYou receive this report {frequency} (subscription "
               "#{id}). To change or end it, ask an administrator of the seizure statistics dashboard."),
    "no_load": N_("no recorded data load"),
})


def _report_facts(engine: sa.Engine, flt: SeizureFilter) -> tuple[str, dt.datetime | None]:
    """The years a report covers ("2019–2024") and the time of the data it holds (the last data load in force)."""
    years = queries.period(engine, flt)
    loads = queries.data_loads(engine)
    as_of = loads["imported_at"].iloc[0] if not loads.empty else None
    return (i18n.period(*years) if years else "–"), (as_of.to_pydatetime() if hasattr(as_of, "to_pydatetime") else as_of)


def build(engine: sa.Engine, sub: Subscription, flt: SeizureFilter) -> bytes:
    """The subscription's report, in its format and language."""
    from seizures import report  # fpdf2 and kaleido load only when a report is built

    builder = report.build_pdf if sub.format == "pdf" else report.build_xlsx
    return builder(engine, flt, sub.language)


def compose(sub: Subscription, cycle_: str, payload: bytes, period: str, as_of: dt.datetime | None,
            message_id: str, sender: str) -> EmailMessage:
    """The e-mail: its subject and text in the subscription's language, the report attached."""
    with i18n.using(sub.language):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = sub.email
        message["Subject"] = TEXT["subject"].format(period=period, cycle=cycle_)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = message_id
        message.set_content(TEXT["body"].format(
            period=period, as_of=i18n.datetime(as_of) if as_of else TEXT["no_load"],
            frequency=_(FREQUENCIES[sub.frequency]), id=sub.id))
    maintype, subtype = FORMATS[sub.format].split("/")
    message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=file_name(sub, cycle_))
    return message


def file_name(sub: Subscription, cycle_: str) -> str:
    return f"seizures-report-{sub.id}-{cycle_}.{sub.format}"


def smtp_send(config: settings.Smtp, message: EmailMessage) -> None:
    """Hand a message to the SMTP server (raises when it does not take it)."""
    context = ssl.create_default_context()
    if config.tls == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=60, context=context)
    else:
        server = smtplib.SMTP(config.host, config.port, timeout=60)
    with server:
        if config.tls == "starttls":
            server.starttls(context=context)
        if config.user:
            server.login(config.user, config.password or "")
        server.send_message(message)


def write_file(folder: str, name: str, payload: bytes) -> Path:
    """Write a report into its folder whole or not at all: a temporary file renamed into place."""
    target = Path(folder) / name
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def send_due(engine: sa.Engine, now: dt.datetime | None = None,
             send: Callable[[settings.Smtp, EmailMessage], None] = smtp_send) -> list[Outcome]:
    """Build and deliver every report that is due (see the module's text for the record kept around each one)."""
    now = now or dt.datetime.now()
    pending = due(engine, now)
    smtp = settings.smtp() if any(sub.email for sub, _cycle in pending) else None
    if smtp is None and any(sub.email for sub, _cycle in pending):
        raise SubscriptionError(f"reports are due by e-mail but {settings.SMTP_HOST_SETTING} is not set")
    lease = settings.send_lease_seconds()
    outcomes = []
    for sub, cycle_ in pending:
        claim = _claim(engine, sub, cycle_, now, lease, smtp.sender.rsplit("@", 1)[1] if smtp else "localhost")
        if claim == "sent":
            continue  # another run sent it since `due` looked
        if claim == "busy":
            outcomes.append(Outcome(sub, cycle_, "busy", "being sent by another run"))
            continue
        try:
            flt = parse_filter(engine, sub.filter)
            period, as_of = _report_facts(engine, flt.with_open_edges(queries.year_bounds(engine)))
            _mark(engine, sub, cycle_, report_period=period, data_as_of=as_of)
            if sub.email:
                message = compose(sub, cycle_, build(engine, sub, flt), period, as_of, claim.message_id, smtp.sender)
                _mark(engine, sub, cycle_, status="sending")
                send(smtp, message)
                detail = claim.message_id
            else:
                target = Path(sub.folder) / file_name(sub, cycle_)
                if not target.exists():  # there already: written whole by a run that died before recording it
                    write_file(sub.folder, target.name, build(engine, sub, flt))
                detail = str(target)
            _mark(engine, sub, cycle_, status="sent", sent_at=dt.datetime.now(),
                  file_path=None if sub.email else detail, error=None)
            outcomes.append(Outcome(sub, cycle_, "sent", detail, claim.attempt, claim.was == "sending"))
        except Exception as exc:  # noqa: BLE001 - one report's failure is recorded and the others still go out
            error = (str(exc).splitlines() or [type(exc).__name__])[0][:500]
            _mark(engine, sub, cycle_, status="failed", error=error)
            outcomes.append(Outcome(sub, cycle_, "failed", error, claim.attempt))
    return outcomes
