-- What clients need to trust and show a media file without probing it:
-- sha256 is the hex SHA-256 of its bytes, computed while they were written
-- ('' for media stored before this column, filled in when first served
-- whole); poster says a JPEG frame of a video is stored beside it (the
-- thumbnail route serves it), made by ffmpeg when the server had it.
ALTER TABLE media ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE media ADD COLUMN poster BOOLEAN NOT NULL DEFAULT FALSE;
