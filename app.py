"""Firearms seizure statistics dashboard: navigation and the shared sidebar filter."""

import streamlit as st

from seizures import ui
from seizures.i18n import _

ui.language()  # before any text: the navigation is in the chosen language too
st.set_page_config(page_title=_("Firearms seizure statistics"), page_icon="📊", layout="wide")

page = st.navigation(
    [
        # The default page is served at "/": it has no other deep link.
        st.Page("app_pages/overview.py", title=_("Overview"), icon=":material/dashboard:", default=True),
        st.Page("app_pages/regions.py", title=_("Regions"), icon=":material/location_city:", url_path="regions"),
        st.Page("app_pages/map.py", title=_("Map"), icon=":material/map:", url_path="map"),
        st.Page("app_pages/weapons.py", title=_("Weapons & context"), icon=":material/category:", url_path="weapons"),
        st.Page("app_pages/records.py", title=_("Records"), icon=":material/table_rows:", url_path="records"),
        st.Page("app_pages/training.py", title=_("Training & capacity"), icon=":material/school:", url_path="training"),
        st.Page("app_pages/kpis.py", title=_("Roadmap KPIs"), icon=":material/flag:", url_path="kpis"),
        st.Page("app_pages/data.py", title=_("Data"), icon=":material/upload_file:", url_path="data"),
        st.Page("app_pages/about.py", title=_("About & methodology"), icon=":material/info:", url_path="about"),
    ]
)
st.session_state["filter"] = ui.sidebar_filter()
page.run()
