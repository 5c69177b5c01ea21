"""Reports that arrive: subscriptions kept in the store and `seizures send-reports`, against a real SMTP server on
loopback started here (aiosmtpd), and into a folder; nothing is sent twice, a run that dies loses nothing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from seizures import i18n, queries, schema, store, subscriptions
from seizures.cli import main
from seizures.report import figures

SENDER = "reports@police.example"
FILTER = "from=2021&to=2022&region=PZ,GJ&category=firearm"


class Inbox:
    """An SMTP server's mailbox: every message it accepted; `refuse` makes it refuse the next ones."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "550 mailbox unavailable"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def inbox(monkeypatch):
    """A real SMTP server on 127.0.0.1 (plain SMTP, no TLS: only on loopback), and the settings that point at it."""
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("SEIZURES_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SEIZURES_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("SEIZURES_SMTP_TLS", "off")
    monkeypatch.setenv("SEIZURES_SMTP_FROM", SENDER)
    yield box
    controller.stop()


@pytest.fixture(autouse=True)
def quick_charts(monkeypatch):
    """Charts fail as without Chromium (the PDF says so where they would be): a report builds in a second."""
    def fail(*args, **kwargs):
        raise RuntimeError("no browser in this test")

    monkeypatch.setattr(figures, "export_png", fail)


def delivery_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(schema.report_deliveries))]


def newest_load(engine) -> dt.datetime:
    return queries.data_loads(engine)["imported_at"].iloc[0].to_pydatetime()


def attachment(message) -> tuple[str, bytes]:
    part = next(message.iter_attachments())
    return part.get_filename(), part.get_content()


def test_send_reports_mails_the_report_once(demo_copy_url, inbox, capsys):
    assert main(["--db-url", demo_copy_url, "subscriptions", "add", "--recipient", "Donor desk",
                 "--email", "donor@example.org", "--filter", FILTER]) == 0
    assert main(["--db-url", demo_copy_url, "send-reports"]) == 0
    out = capsys.readouterr().out
    assert "sent to #1 Donor desk <donor@example.org>" in out
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert (message["To"], message["From"]) == ("donor@example.org", SENDER)
    cycle = f"{dt.date.today():%Y-%m}"
    assert message["Subject"] == f"Firearms seizure report 2021–2022 ({cycle})"
    engine = store.make_engine(demo_copy_url)
    [row] = delivery_rows(engine)
    assert (row["subscription_id"], row["cycle"], row["status"], row["attempts"]) == (1, cycle, "sent", 1)
    assert row["message_id"] == message["Message-ID"] and row["message_id"].endswith("@police.example>")
    assert row["report_period"] == "2021–2022" and row["data_as_of"] == newest_load(engine)
    name, pdf = attachment(message)
    assert name == f"seizures-report-1-{cycle}.pdf" and pdf.startswith(b"%PDF")
    first = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for line in ("Period 2021–2022", "Regional directorates Prizren, Gjakova", "Categories Firearms",
                 f"Data as of {i18n.datetime(newest_load(engine))} (server time)"):
        assert " ".join(line.split()) in first, line  # spaces of any width as one
    body = message.get_body(("plain",)).get_content()
    assert "data as of" in body and "monthly (subscription #1)" in body

    assert main(["--db-url", demo_copy_url, "send-reports"]) == 0  # the same month again: nothing
    assert "nothing due" in capsys.readouterr().out
    assert len(inbox.messages) == 1
    assert delivery_rows(engine) == [row]
    engine.dispose()


def subscribe(engine, **kwargs) -> subscriptions.Subscription:
    new = subscriptions.add(engine, "Steering committee", **{"filter": "from=2022&to=2022", "user": "test", **kwargs})
    return next(sub for sub in subscriptions.active(engine) if sub.id == new)


def set_delivery(engine, sub, **values) -> None:
    d = schema.report_deliveries
    with engine.begin() as conn:
        conn.execute(d.update().where(d.c.subscription_id == sub.id).values(**values))


def test_a_run_that_died_before_sending_is_finished_by_the_next_after_the_lease(demo_copy_engine, inbox):
    """Left "claimed": nothing went out, so the next run sends it, once, with the Message-ID chosen at the claim."""
    sub = subscribe(demo_copy_engine, email="a@example.org")
    now = dt.datetime.now()
    claim = subscriptions._claim(demo_copy_engine, sub, subscriptions.cycle("monthly", now.date()), now, 1800, "x.org")
    # The run dies here. Another run within the lease leaves it to its owner:
    busy = subscriptions.send_due(demo_copy_engine, now + dt.timedelta(minutes=5))
    assert [o.status for o in busy] == ["busy"] and inbox.messages == []
    later = subscriptions.send_due(demo_copy_engine, now + dt.timedelta(minutes=31))
    assert [(o.status, o.attempt, o.resent) for o in later] == [("sent", 2, False)]
    assert [m["Message-ID"] for m in inbox.messages] == [claim.message_id]
    assert subscriptions.send_due(demo_copy_engine, now + dt.timedelta(minutes=32)) == []


def test_a_run_that_died_while_sending_sends_again_with_the_same_message_id(demo_copy_engine, inbox):
    """Killed after the server took the message, before the run recorded it: the one case that cannot be told apart
    from a message not taken. It is sent again with the same Message-ID (a mail program drops the copy), never lost."""
    sub = subscribe(demo_copy_engine, email="a@example.org")
    now = dt.datetime.now()

    def killed_after_sending(config, message):
        subscriptions.smtp_send(config, message)
        raise SystemExit("killed")

    with pytest.raises(SystemExit):
        subscriptions.send_due(demo_copy_engine, now, send=killed_after_sending)
    assert [r["status"] for r in delivery_rows(demo_copy_engine)] == ["sending"]
    assert subscriptions.send_due(demo_copy_engine, now + dt.timedelta(minutes=1))[0].status == "busy"
    [again] = subscriptions.send_due(demo_copy_engine, now + dt.timedelta(hours=1))
    assert (again.status, again.resent) == ("sent", True)
    first, second = inbox.messages
    assert first["Message-ID"] == second["Message-ID"] == delivery_rows(demo_copy_engine)[0]["message_id"]


def test_a_refused_message_is_recorded_and_sent_on_the_next_run(demo_copy_url, inbox, capsys):
    engine = store.make_engine(demo_copy_url)
    subscribe(engine, email="a@example.org", frequency="quarterly", format="xlsx", language="sq")
    inbox.refuse = True
    assert main(["--db-url", demo_copy_url, "send-reports"]) == 1
    assert "failed: #1 Steering committee" in capsys.readouterr().err
    [row] = delivery_rows(engine)
    assert row["status"] == "failed" and "550" in row["error"] and row["cycle"].endswith(
        f"-Q{(dt.date.today().month - 1) // 3 + 1}")
    inbox.refuse = False
    assert main(["--db-url", demo_copy_url, "send-reports"]) == 0
    [message] = inbox.messages
    with i18n.using("sq"):
        assert message["Subject"] == subscriptions.TEXT["subject"].format(period="2022", cycle=row["cycle"])
        assert message["Subject"] != f"Firearms seizure report 2022 ({row['cycle']})"  # in Albanian
    name, workbook = attachment(message)
    assert name.endswith(".xlsx") and workbook[:2] == b"PK"
    assert [(r["status"], r["attempts"], r["error"]) for r in delivery_rows(engine)] == [("sent", 2, None)]
    engine.dispose()


def test_folder_reports_are_written_whole_once(demo_copy_engine, tmp_path):
    tmp_path = tmp_path / "reports"
    tmp_path.mkdir()
    sub = subscribe(demo_copy_engine, folder=str(tmp_path))
    [out] = subscriptions.send_due(demo_copy_engine)
    written = tmp_path / subscriptions.file_name(sub, out.cycle)
    assert out.status == "sent" and out.detail == str(written)
    assert written.read_bytes().startswith(b"%PDF") and [p.name for p in tmp_path.iterdir()] == [written.name]
    assert delivery_rows(demo_copy_engine)[0]["file_path"] == str(written)
    assert subscriptions.send_due(demo_copy_engine) == []
    # A run that died after renaming the file into place, before recording it: the file is not written again.
    set_delivery(demo_copy_engine, sub, status="claimed", claimed_at=dt.datetime.now() - dt.timedelta(hours=2))
    written.write_bytes(b"kept")
    [again] = subscriptions.send_due(demo_copy_engine)
    assert again.status == "sent" and written.read_bytes() == b"kept"


def test_removed_subscriptions_get_nothing_and_stay_listed(demo_copy_engine, tmp_path):
    sub = subscribe(demo_copy_engine, folder=str(tmp_path))
    subscriptions.remove(demo_copy_engine, sub.id, "admin")
    assert subscriptions.due(demo_copy_engine) == []
    listed = subscriptions.listing(demo_copy_engine, include_removed=True)
    assert listed["id"].tolist() == [sub.id] and listed["removed_at"].notna().all()
    assert subscriptions.listing(demo_copy_engine).empty
    with pytest.raises(subscriptions.SubscriptionError, match="no active subscription #"):
        subscriptions.remove(demo_copy_engine, sub.id, "admin")


@pytest.mark.parametrize("kwargs,message", [
    ({"email": "not an address"}, "is not an e-mail address"),
    ({"email": "a@example.org\r\nBcc: x@evil.example"}, "is not an e-mail address"),
    ({"email": "a@example.org", "folder": "/tmp"}, "either an e-mail address or a folder"),
    ({}, "either an e-mail address or a folder"),
    ({"folder": "relative/path"}, "absolute path"),
    ({"folder": "/nonexistent/folder"}, "not a folder this server can write to"),
    ({"email": "a@example.org", "filter": "region=PZ,XX"}, "unknown region value(s): XX"),
    ({"email": "a@example.org", "filter": "from=1990"}, "outside the data's years"),
    ({"email": "a@example.org", "filter": "colour=red"}, "unknown parameter(s) colour"),
    ({"email": "a@example.org", "language": "de"}, "language"),
    ({"email": "a@example.org", "frequency": "weekly"}, "frequency"),
])
def test_subscriptions_refuse_what_they_cannot_use(demo_copy_engine, kwargs, message):
    with pytest.raises(subscriptions.SubscriptionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        subscriptions.add(demo_copy_engine, "Someone", user="admin", **kwargs)
    assert subscriptions.listing(demo_copy_engine, include_removed=True).empty


def test_filters_are_stored_as_codes(demo_copy_engine):
    sub = subscribe(demo_copy_engine, email="a@example.org", filter="region=Prizren,gjakovë&category=Firearms")
    assert sub.filter == "region=PZ,GJ&category=firearm"


def test_the_command_line_keeps_subscriptions(demo_copy_url, tmp_path, capsys):
    tmp_path = tmp_path / "reports"
    tmp_path.mkdir()
    db = ["--db-url", demo_copy_url]
    assert main([*db, "subscriptions", "add", "--recipient", "Prizren", "--folder", str(tmp_path),
                 "--frequency", "quarterly", "--filter", "region=PZ"]) == 0
    assert main([*db, "subscriptions", "add", "--recipient", "X", "--email", "bad"]) == 2
    assert "is not an e-mail address" in capsys.readouterr().err
    assert main([*db, "subscriptions", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Prizren" in listed and "region=PZ" in listed and "quarterly" in listed
    assert main([*db, "send-reports", "--dry-run"]) == 0
    assert "1 report(s) due" in capsys.readouterr().out and not list(tmp_path.iterdir())
    assert main([*db, "subscriptions", "remove", "1"]) == 0
    assert main([*db, "send-reports"]) == 0 and "nothing due" in capsys.readouterr().out


def test_mail_without_smtp_settings_is_refused_before_anything_is_claimed(demo_copy_engine, monkeypatch):
    monkeypatch.delenv("SEIZURES_SMTP_HOST", raising=False)
    subscribe(demo_copy_engine, email="a@example.org")
    with pytest.raises(subscriptions.SubscriptionError, match="SEIZURES_SMTP_HOST is not set"):
        subscriptions.send_due(demo_copy_engine)
    assert delivery_rows(demo_copy_engine) == []


def test_an_administrator_keeps_subscriptions_on_the_data_page(monkeypatch, demo_copy_url, tmp_path, fresh_caches):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SEIZURES_DB_URL", demo_copy_url)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.query_params["region"] = "PZ"
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    assert at.text_input(key="subscription_filter").value == "region=PZ"  # the sidebar's filter by default
    at.text_input(key="subscription_recipient").input("Prizren directorate")
    at.radio(key="subscription_how").set_value("email")
    at.text_input(key="subscription_to").input("head.pz@police.example")
    at.radio(key="subscription_frequency").set_value("quarterly")
    next(b for b in at.button if "Add the subscription" in b.label).click().run()
    assert not at.exception, at.exception
    assert any("Added subscription #1." in s.value for s in at.success)
    engine = store.make_engine(demo_copy_url)
    [sub] = subscriptions.active(engine)
    assert (sub.recipient, sub.email, sub.filter, sub.frequency) == (
        "Prizren directorate", "head.pz@police.example", "region=PZ", "quarterly")
    assert subscriptions.listing(engine)["created_by"].tolist() == ["app (no login)"]
    engine.dispose()
    at.button(key="subscription_remove").click().run()
    assert any("Ended subscription #1." in s.value for s in at.success)


def test_two_runs_cannot_claim_the_same_report(any_demo_copy_engine, tmp_path):
    """On both engines: the table's key lets one run claim a (subscription, cycle); a second gets "busy" while the
    claim is fresh, "sent" once it is sent, and a takeover after the lease counts as one more attempt."""
    engine = any_demo_copy_engine
    sub = subscribe(engine, folder=str(tmp_path))
    now = dt.datetime.now()
    first = subscriptions._claim(engine, sub, "2030-01", now, 1800, "x.org")
    assert isinstance(first, subscriptions._Claim) and first.attempt == 1 and first.was is None
    assert subscriptions._claim(engine, sub, "2030-01", now, 1800, "x.org") == "busy"
    taken = subscriptions._claim(engine, sub, "2030-01", now + dt.timedelta(hours=1), 1800, "x.org")
    assert (taken.attempt, taken.was, taken.message_id) == (2, "claimed", first.message_id)
    subscriptions._mark(engine, sub, "2030-01", status="sent")
    assert subscriptions._claim(engine, sub, "2030-01", now + dt.timedelta(days=1), 1800, "x.org") == "sent"
