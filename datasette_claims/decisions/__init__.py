"""People's decisions: reviews with evidence, and link, unlink, merge and split. Each
writes its history and re-derives the statuses that follow."""
