"""Domain rules, one module per domain. Services take `db` first, keyword-only arguments after,
raise `app.errors` (never HTTP exceptions), and publish events only after they commit.
"""
