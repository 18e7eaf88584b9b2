package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Media is a stored file a program's activities can use.
type Media struct {
	ID          string
	ProgramID   string
	Kind        string // the mediacheck kind it was checked for
	Filename    string
	ContentType string
	Container   string
	VideoCodec  string
	Width       int
	Height      int
	DurationMS  int64
	SizeBytes   int64
	StorageKey  string
	Source      string // MediaSourceUpload, MediaSourceLinkPreview, MediaSourceDemo
	SourceURL   string
	CreatedBy   string // "" when unknown
	CreatedAt   time.Time
	// SHA256 is the hex SHA-256 of the bytes ("" for media stored before
	// it was recorded, until SetMediaSHA256 fills it in).
	SHA256 string
	// Poster: a video's poster JPEG is stored beside it (as a photo's
	// thumbnail is).
	Poster bool
}

// Where media came from.
const (
	MediaSourceUpload      = "upload"
	MediaSourceLinkPreview = "link_preview"
	MediaSourceDemo        = "demo"
)

// Upload is a resumable upload in progress (or just completed).
type Upload struct {
	ID          string
	ProgramID   string
	Kind        string
	Filename    string
	Size        int64
	Offset      int64
	MediaID     string // chosen when the upload starts
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt time.Time // zero until complete
}

const mediaCols = "id, program_id, kind, filename, content_type, container, video_codec, width, height, duration_ms, size_bytes, storage_key, source, source_url, created_by, created_at, sha256, poster"

func insertMedia(ctx context.Context, s *Store, q querier, m Media) error {
	_, err := q.ExecContext(ctx, s.q("INSERT INTO media ("+mediaCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		m.ID, m.ProgramID, m.Kind, m.Filename, m.ContentType, m.Container, m.VideoCodec, m.Width, m.Height, m.DurationMS,
		m.SizeBytes, m.StorageKey, m.Source, m.SourceURL, nullString(m.CreatedBy), ms(m.CreatedAt), m.SHA256, m.Poster)
	return translate(err, "media")
}

func scanMedia(r rowScanner) (Media, error) {
	var m Media
	var by sql.NullString
	var at int64
	if err := r.Scan(&m.ID, &m.ProgramID, &m.Kind, &m.Filename, &m.ContentType, &m.Container, &m.VideoCodec, &m.Width, &m.Height,
		&m.DurationMS, &m.SizeBytes, &m.StorageKey, &m.Source, &m.SourceURL, &by, &at, &m.SHA256, &m.Poster); err != nil {
		return Media{}, err
	}
	m.CreatedBy, m.CreatedAt = by.String, fromMS(at)
	return m, nil
}

// CreateMedia records a stored file.
func (s *Store) CreateMedia(ctx context.Context, m Media) error {
	return wrap("CreateMedia", insertMedia(ctx, s, s.w, m))
}

// Media returns one of a program's media.
func (s *Store) Media(ctx context.Context, programID, id string) (Media, error) {
	m, err := scanMedia(s.hotRow(ctx, "SELECT "+mediaCols+" FROM media WHERE program_id = ? AND id = ?", programID, id))
	if err != nil {
		return Media{}, wrap("Media", translate(err, "media"))
	}
	return m, nil
}

// MediaByIDs returns the program's media among ids, by id, in one query
// per 500 ids (a feed's or an activity list's media at once); ids that are
// not the program's media are left out.
func (s *Store) MediaByIDs(ctx context.Context, programID string, ids []string) (map[string]Media, error) {
	out := make(map[string]Media, len(ids))
	uniq := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	for len(uniq) > 0 {
		chunk := uniq[:min(len(uniq), 500)]
		uniq = uniq[len(chunk):]
		rows, err := s.r.QueryContext(ctx, s.rebind("SELECT "+mediaCols+" FROM media WHERE program_id = ? AND id IN ("+placeholders(len(chunk))+")"),
			append([]any{programID}, anySlice(chunk)...)...)
		if err != nil {
			return nil, wrap("MediaByIDs", err)
		}
		for rows.Next() {
			m, err := scanMedia(rows)
			if err != nil {
				rows.Close()
				return nil, wrap("MediaByIDs", err)
			}
			out[m.ID] = m
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("MediaByIDs", err)
		}
	}
	return out, nil
}

// SetMediaSHA256 records the SHA-256 of media stored before it was
// computed on arrival; a recorded one is never replaced. Feeds reload.
func (s *Store) SetMediaSHA256(ctx context.Context, programID, id, sum string) error {
	return wrap("SetMediaSHA256", s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE media SET sha256 = ? WHERE program_id = ? AND id = ? AND sha256 = ''"), sum, programID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return bumpVersion(ctx, s, tx, programID)
	}))
}

// DeleteMedia forgets a media row (its bytes are the caller's to delete).
func (s *Store) DeleteMedia(ctx context.Context, programID, id string) error {
	res, err := s.w.ExecContext(ctx, s.q("DELETE FROM media WHERE program_id = ? AND id = ?"), programID, id)
	return wrap("DeleteMedia", mustAffect(res, err, "media"))
}

const uploadCols = "id, program_id, kind, filename, size_bytes, offset_bytes, media_id, created_by, created_at, updated_at, completed_at"

// CreateUpload starts a resumable upload.
func (s *Store) CreateUpload(ctx context.Context, u Upload) error {
	_, err := s.w.ExecContext(ctx, s.q("INSERT INTO media_uploads ("+uploadCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
		u.ID, u.ProgramID, u.Kind, u.Filename, u.Size, u.Offset, u.MediaID, u.CreatedBy, ms(u.CreatedAt), ms(u.UpdatedAt), nullMS(u.CompletedAt))
	return wrap("CreateUpload", translate(err, "upload"))
}

func scanUpload(r rowScanner) (Upload, error) {
	var u Upload
	var at, upd int64
	var done sql.NullInt64
	if err := r.Scan(&u.ID, &u.ProgramID, &u.Kind, &u.Filename, &u.Size, &u.Offset, &u.MediaID, &u.CreatedBy, &at, &upd, &done); err != nil {
		return Upload{}, err
	}
	u.CreatedAt, u.UpdatedAt, u.CompletedAt = fromMS(at), fromMS(upd), fromNullMS(done)
	return u, nil
}

// Upload returns one of a program's uploads.
func (s *Store) Upload(ctx context.Context, programID, id string) (Upload, error) {
	u, err := scanUpload(s.w.QueryRowContext(ctx, s.q("SELECT "+uploadCols+" FROM media_uploads WHERE program_id = ? AND id = ?"), programID, id))
	return u, wrap("Upload", translate(err, "upload"))
}

// SetUploadOffset records how many bytes of an upload are safely on disk.
func (s *Store) SetUploadOffset(ctx context.Context, id string, offset int64, now time.Time) error {
	res, err := s.w.ExecContext(ctx, s.q("UPDATE media_uploads SET offset_bytes = ?, updated_at = ? WHERE id = ? AND completed_at IS NULL"), offset, ms(now), id)
	return wrap("SetUploadOffset", mustAffect(res, err, "upload"))
}

// CompleteUpload records the media an upload became, in one transaction
// with marking the upload done.
func (s *Store) CompleteUpload(ctx context.Context, uploadID string, m Media, now time.Time) error {
	return wrap("CompleteUpload", s.tx(ctx, func(tx *sql.Tx) error {
		if err := insertMedia(ctx, s, tx, m); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q("UPDATE media_uploads SET completed_at = ?, updated_at = ? WHERE id = ? AND completed_at IS NULL"), ms(now), ms(now), uploadID)
		return mustAffect(res, err, "upload")
	}))
}

// DeleteUpload forgets an upload.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	_, err := s.w.ExecContext(ctx, s.q("DELETE FROM media_uploads WHERE id = ?"), id)
	return wrap("DeleteUpload", err)
}

// StaleUploads lists uploads not touched since before (abandoned ones, and
// completed ones whose record is no longer needed for a retried complete).
func (s *Store) StaleUploads(ctx context.Context, before time.Time, limit int) ([]Upload, error) {
	rows, err := s.w.QueryContext(ctx, s.q("SELECT "+uploadCols+" FROM media_uploads WHERE updated_at < ? ORDER BY updated_at LIMIT ?"), ms(before), limit)
	if err != nil {
		return nil, wrap("StaleUploads", err)
	}
	defer rows.Close()
	var out []Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, wrap("StaleUploads", err)
		}
		out = append(out, u)
	}
	return out, wrap("StaleUploads", rows.Err())
}

// UploadExists reports whether an upload with this id is recorded.
func (s *Store) UploadExists(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.w.QueryRowContext(ctx, s.q("SELECT 1 FROM media_uploads WHERE id = ?"), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrap("UploadExists", err)
}

// SetActivityMediaIfEmpty gives an activity its media unless it already has
// some (a manager may have picked a photo meanwhile); it reports whether it
// did. Members' feeds reload.
func (s *Store) SetActivityMediaIfEmpty(ctx context.Context, programID, activityID, mediaID string, now time.Time) (bool, error) {
	set := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE activities SET media_id = ?, updated_at = ? WHERE program_id = ? AND id = ? AND media_id = ''"),
			mediaID, ms(now), programID, activityID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		set = true
		return bumpVersion(ctx, s, tx, programID)
	})
	return set, wrap("SetActivityMediaIfEmpty", err)
}
