"""The Datasette pages: routes, read-only pages with .json twins, feeds, POST forms,
their queries, the timeline, permissions and the shared guard."""
