package store

import "errors"

// opError names the store operation that failed, so a log line says what
// was being done ("store: Redeem: …"), not only what the driver said.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string { return "store: " + e.op + ": " + e.err.Error() }

// Unwrap keeps sentinels (ErrNoListen, sql.ErrNoRows) and domain errors
// matchable with errors.Is and errors.As.
func (e *opError) Unwrap() error { return e.err }

// wrap names op on err. An error already named by an inner operation keeps
// that name: it is the more precise one.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var named *opError
	if errors.As(err, &named) {
		return err
	}
	return &opError{op: op, err: err}
}
