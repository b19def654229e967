"""The claims database: connection and write lock, schema and migrations, bulk writes,
history rows and derived statuses."""
