-- A TikTok consent is bound to the browser that started it: the hash of a
-- secret kept in that browser's cookie, set when the browser opens our start
-- link. The callback must bring the same secret, so a connect link opened
-- by someone else cannot link their TikTok account to the member's.
ALTER TABLE oauth_states ADD COLUMN binding TEXT NOT NULL DEFAULT '';
