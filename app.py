"""Firearms seizure statistics dashboard: navigation and the shared sidebar filter."""

import streamlit as st

from seizures import ui

st.set_page_config(page_title="Firearms seizure statistics", page_icon="📊", layout="wide")

page = st.navigation(
    [
        # The default page is served at "/": it has no other deep link.
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/regions.py", title="Regions", icon=":material/map:", url_path="regions"),
        st.Page("app_pages/weapons.py", title="Weapons & context", icon=":material/category:", url_path="weapons"),
        st.Page("app_pages/records.py", title="Records", icon=":material/table_rows:", url_path="records"),
    ]
)
st.session_state["filter"] = ui.sidebar_filter()
page.run()
