// Package tiktok is Chorus's client for the parts of TikTok's Open API that
// stage a video in a member's TikTok inbox: Login Kit (OAuth 2.0 with PKCE),
// the Display API's user info, and the Content Posting API "Upload" flow
// (init → chunked PUT → status fetch).
//
// The client makes exactly one HTTP request per call and never retries by
// itself: retries belong to the durable staging job, which decides with
// Retryable, IsRateLimited and IsTokenInvalid. Base URLs come from Config so
// tests and `chorus-server serve --demo` can point it at tiktoktest.
//
// # Sources
//
// Every TikTok rule in this package names the page it comes from. The pages
// (TikTok for Developers, developers.tiktok.com) are:
//
//   - [login-kit-web]: https://developers.tiktok.com/doc/login-kit-web
//     authorize URL, parameters, redirect URI rules, state.
//   - [login-kit-desktop]: https://developers.tiktok.com/doc/login-kit-desktop
//     PKCE (code_challenge, code_challenge_method=S256).
//   - [token-management]: https://developers.tiktok.com/doc/oauth-user-access-token-management
//     and its split pages oauth-get-a-user-access-token, oauth-refresh-a-user-access-token,
//     oauth-revoke-a-user-access-token: POST /v2/oauth/token/ and /v2/oauth/revoke/,
//     form encoding, response fields, refresh-token rotation.
//   - [oauth-errors]: https://developers.tiktok.com/doc/oauth-error-handling
//     OAuth error body {"error","error_description","log_id"}.
//   - [api-errors]: https://developers.tiktok.com/doc/tiktok-api-v2-error-handling
//     v2 error struct {"code","message","log_id"} and code → HTTP status table.
//   - [user-info]: https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info
//     GET /v2/user/info/?fields=…, response data.user.
//   - [upload]: https://developers.tiktok.com/doc/content-posting-api-reference-upload-video
//     POST /v2/post/publish/inbox/video/init/, scope video.upload, 6 requests/minute
//     per user access_token, spam_risk_* refusals.
//   - [media-transfer]: https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
//     chunk restrictions and the PUT schema (Content-Type, Content-Length, Content-Range).
//   - [status]: https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status
//     POST /v2/post/publish/status/fetch/, 30 requests/minute per user access_token,
//     statuses and fail_reason.
//
// # Where the docs are ambiguous, and what we chose
//
//   - "MB" in [media-transfer] is not defined as 10^6 or 2^20 bytes. The planner
//     only produces sizes valid under both readings: chunks of at least 5 MiB
//     (≥ 5,000,000) and at most 64,000,000 bytes (≤ 64 MiB); the default is 10 MiB.
//     tiktoktest enforces the strict end of each bound, so a planner that relied
//     on either reading alone would fail its tests.
//   - [media-transfer] says files under 5 MB "must be uploaded as a whole" and
//     files over 64 MB "must be uploaded in multiple chunks"; it does not say what
//     to do between. We upload anything up to the chunk size (10 MiB) whole, since
//     total_chunk_count = floor(size/chunk_size) would otherwise be 0.
//   - PKCE: the code challenge is BASE64URL(SHA-256(verifier)) without padding, as
//     RFC 7636 §4.2 defines S256. TikTok's desktop guide has shown sample code that
//     hex-encodes the digest instead; if production TikTok rejects our challenge,
//     ChallengeS256 is the one place to change. [token-management] says the
//     verifier is required for mobile and desktop apps only; we send it on the web
//     flow too because it costs nothing and binds the code to our server.
//   - Access-token lifetime: the older [token-management] page says 24 hours, a
//     newer revision says 2 hours. Token carries the expiry TikTok returns
//     (expires_in), so nothing here depends on either number.
//   - OAuth endpoints report errors as {"error": "<string>", ...} while v2 APIs use
//     {"error": {"code": ...}}. Both shapes become *APIError.
//   - [media-transfer] lists request headers but no error bodies for the PUT; we
//     treat any 2xx as accepted (TikTok shows 206 for a partial and 201 for the
//     final chunk) and rely on the status fetch's uploaded_bytes as the truth.
//   - 429 responses are not documented to carry Retry-After. We honour it when
//     present and otherwise wait DefaultRateLimitWait, one full window of the
//     per-minute limits in [upload] and [status].
package tiktok
