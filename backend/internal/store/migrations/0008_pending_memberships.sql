-- A membership is pending until the person accepts that program's invite:
-- adding an existing account to a program must neither reveal anything about
-- it nor give the program anything of it before the person says yes. The name
-- and zone the manager typed are kept on the membership and shown while it is
-- pending, never the account's own.
ALTER TABLE memberships ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE memberships ADD COLUMN invited_name TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN invited_timezone TEXT NOT NULL DEFAULT '';
UPDATE memberships SET pending = TRUE,
    invited_name = (SELECT u.name FROM users u WHERE u.id = memberships.user_id),
    invited_timezone = (SELECT u.timezone FROM users u WHERE u.id = memberships.user_id)
WHERE user_id IN (SELECT id FROM users WHERE password_hash = '');
