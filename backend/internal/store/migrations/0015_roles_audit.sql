-- Owners run a program (roles, settings, the audit log); managers run its
-- content. A limited manager (limited = TRUE) works only with the groups and
-- channels in manager_scopes: none listed means none at all, never "all".
ALTER TABLE memberships ADD COLUMN limited BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE manager_scopes (
    program_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL, -- 'group' or 'channel'
    target_id  TEXT NOT NULL,
    PRIMARY KEY (program_id, user_id, kind, target_id),
    FOREIGN KEY (program_id, user_id) REFERENCES memberships(program_id, user_id) ON DELETE CASCADE
);

-- Every program with a manager gets its first active manager as owner, so
-- the "at least one owner" rule holds from the start.
UPDATE memberships SET role = 'owner'
WHERE role = 'manager' AND NOT pending
  AND user_id = (SELECT m2.user_id FROM memberships m2
                 WHERE m2.program_id = memberships.program_id AND m2.role = 'manager' AND NOT m2.pending
                 ORDER BY m2.created_at, m2.user_id LIMIT 1);

-- Who changed what, when. actor_name is kept as it was then: the log still
-- reads after the person is renamed or leaves.
CREATE TABLE audit_log (
    id          {{autoid}},
    program_id  TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX audit_log_program ON audit_log(program_id, id);
