"""Firearms seizure statistics dashboard: who is logged in, the pages their role may open, the shared sidebar
filter, and the page itself (its errors logged with a reference, never shown as a traceback)."""

import streamlit as st

from seizures.dashboard import access, data, document, sidebar
from seizures.i18n import _

sidebar.language()  # before any text: the navigation is in the chosen language too
st.set_page_config(page_title=_("Firearms seizure statistics"), page_icon="📊", layout="wide")
document.setup()  # <html lang>, charts named as images, caption contrast, metrics that wrap


def main() -> None:
    with data.script_run():  # one store connection and one data-version read for the whole run
        data.store_or_stop()  # before the login, which reads the store too
        role = access.establish_access()  # None until someone logs in
        # Every page is registered, whoever asks: the address's page is kept through the login.
        page = access.navigation(role)
        document.title(page.title if role is not None else _("Log in"))  # each page its own browser title
        if role is None:
            access.login_screen()  # stops here
        st.session_state["filter"] = sidebar.sidebar_filter()
        page.run()


access.run_guarded(main)
