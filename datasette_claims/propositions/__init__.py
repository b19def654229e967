"""Propositions: matching claims to them (terms, index, scoring), the status rules, and
the cross-source comparison."""
