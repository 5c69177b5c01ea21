"""Firearms seizure statistics dashboard: who is logged in, the pages their role may open, the shared sidebar
filter, and the page itself (its errors logged with a reference, never shown as a traceback)."""

import streamlit as st

from seizures import ui
from seizures.i18n import _

ui.language()  # before any text: the navigation is in the chosen language too
st.set_page_config(page_title=_("Firearms seizure statistics"), page_icon="📊", layout="wide")


def main() -> None:
    with ui.script_run():  # one store connection and one data-version read for the whole run
        role = ui.establish_access()  # draws the login and stops here when someone must log in first
        page = st.navigation(ui.navigation_pages(role))  # the default page is served at "/"
        st.session_state["filter"] = ui.sidebar_filter()
        page.run()


ui.run_guarded(main)
