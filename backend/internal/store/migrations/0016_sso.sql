-- Single sign-on with OpenID Connect, per program. The client secret is
-- sealed by the server's key before it gets here.
CREATE TABLE program_sso (
    program_id           TEXT PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
    enabled              BOOLEAN NOT NULL DEFAULT FALSE,
    display_name         TEXT NOT NULL,
    issuer_url           TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL,
    allowed_domains      TEXT NOT NULL, -- lower-case, comma-separated
    password_login       BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at           BIGINT NOT NULL
);

-- A sign-in under way: found by the SHA-256 of its state; the nonce and
-- the PKCE verifier (sealed) are checked when the provider sends the
-- browser back. Used once, for ten minutes.
CREATE TABLE sso_flows (
    state_hash      TEXT PRIMARY KEY,
    program_id      TEXT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    nonce           TEXT NOT NULL,
    verifier_sealed TEXT NOT NULL,
    return_to       TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

-- A person the provider vouched for: their subject at that issuer.
CREATE TABLE sso_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX sso_identities_user ON sso_identities(user_id);

-- The one-time code a finished sign-in hands the app (SHA-256 kept),
-- exchanged once for a session within a minute.
CREATE TABLE sso_codes (
    code_hash  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
