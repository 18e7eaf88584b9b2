-- The feed reads a member's groups, channels and performs by member on
-- every request: these indexes carry the column it reads, so each row is
-- one seek, not a seek in the index and another in the table.
DROP INDEX group_members_user;
CREATE INDEX group_members_user ON group_members(user_id, program_id, group_id);
DROP INDEX channel_members_user;
CREATE INDEX channel_members_user ON channel_members(user_id, program_id, channel_id);
DROP INDEX channel_follows_user;
CREATE INDEX channel_follows_user ON channel_follows(user_id, program_id, channel_id);
DROP INDEX performs_program_user;
CREATE INDEX performs_program_user ON performs(program_id, user_id, activity_id);
