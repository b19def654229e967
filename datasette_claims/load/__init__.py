"""`datasette claims load`: discover files, plan and cross-check them, match claims to
propositions, and apply the plan in one transaction."""
