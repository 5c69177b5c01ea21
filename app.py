"""Firearms seizure statistics dashboard: navigation and the shared sidebar filter."""

import streamlit as st

from seizures import ui

st.set_page_config(page_title="Firearms seizure statistics", page_icon="📊", layout="wide")

page = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", icon="📈", url_path="overview", default=True),
        st.Page("app_pages/data.py", title="Data", icon="🗂️", url_path="data"),
    ]
)
st.session_state["filter"] = ui.sidebar_filter()
page.run()
