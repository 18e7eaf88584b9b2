-- Notification channels beyond push (issue 14).
--
-- A member's choice per channel: push on or off for new activities; email
-- and WeCom 'auto' (only when no push reaches them), 'on' or 'off'.
ALTER TABLE users ADD COLUMN notify_push BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_email TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE users ADD COLUMN notify_wecom TEXT NOT NULL DEFAULT 'auto';

-- The member's WeCom user id in the program's company: set by a manager,
-- or matched by email. wecom_lookup_at: when matching by email last found
-- nobody, so a member WeCom does not know is not looked up for every
-- activity.
ALTER TABLE memberships ADD COLUMN wecom_user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN wecom_lookup_at BIGINT NOT NULL DEFAULT 0;

-- A program's channels. Email and WeCom are on where the server has their
-- credentials until a manager turns them off; Slack and Teams webhook URLs
-- are credentials, kept sealed with the server's key ('' = none).
ALTER TABLE programs ADD COLUMN email_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programs ADD COLUMN wecom_enabled BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programs ADD COLUMN slack_webhook TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN teams_webhook TEXT NOT NULL DEFAULT '';
