"""Firearms seizure statistics dashboard: navigation and the shared sidebar filter."""

import streamlit as st

from seizures import ui

st.set_page_config(page_title="Firearms seizure statistics", page_icon="📊", layout="wide")

page = st.navigation(
    [
        # The default page is served at "/": it has no other deep link.
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/regions.py", title="Regions", icon=":material/location_city:", url_path="regions"),
        st.Page("app_pages/map.py", title="Map", icon=":material/map:", url_path="map"),
        st.Page("app_pages/weapons.py", title="Weapons & context", icon=":material/category:", url_path="weapons"),
        st.Page("app_pages/records.py", title="Records", icon=":material/table_rows:", url_path="records"),
        st.Page("app_pages/training.py", title="Training & capacity", icon=":material/school:", url_path="training"),
        st.Page("app_pages/kpis.py", title="Roadmap KPIs", icon=":material/flag:", url_path="kpis"),
        st.Page("app_pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
        st.Page("app_pages/about.py", title="About & methodology", icon=":material/info:", url_path="about"),
    ]
)
with ui.script_run():
    st.session_state["filter"] = ui.sidebar_filter()
    page.run()
