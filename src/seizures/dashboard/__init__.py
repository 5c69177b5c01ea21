"""The dashboard: the only part of the package that imports Streamlit, used by app.py and the scripts in app_pages/.

- `data`: the store for a page run, queries cached per data version, the public mode's protection of their results,
  the reference lookups (directorates, the data's years);
- `sidebar`: the language and the shared filter, kept in the URL;
- `access`: roles, the pages each may open, the login, and the guard that logs errors with a reference;
- `widgets`: what several pages draw (a chart with its data download, tables in the page's language, empty states).

It may import any module of `seizures`; nothing in `seizures` imports it.
"""
