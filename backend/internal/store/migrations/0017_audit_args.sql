-- An audit entry's facts by name (JSON: {"email": …, "role": …}), beside
-- its English detail, so the app words the entry in the owner's language.
ALTER TABLE audit_log ADD COLUMN args TEXT NOT NULL DEFAULT '';
