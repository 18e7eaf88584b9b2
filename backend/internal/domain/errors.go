// Package domain holds Chorus's rules as plain Go: types, validation, who sees
// what. No HTTP and no SQL here, so every rule is tested as a pure function.
package domain

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/chorus-advocacy/chorus/backend/wire"
)

// Error codes are part of the API contract (clients translate by code);
// their words live in backend/wire, shared with the app.
const (
	CodeBadRequest       = wire.CodeBadRequest
	CodeValidation       = wire.CodeValidation
	CodeUnauthorized     = wire.CodeUnauthorized
	CodeForbidden        = wire.CodeForbidden
	CodeNotFound         = wire.CodeNotFound
	CodeConflict         = wire.CodeConflict
	CodeTooLarge         = wire.CodeTooLarge
	CodeUnsupportedMedia = wire.CodeUnsupportedMedia
	CodeRateLimited      = wire.CodeRateLimited
	CodeInternal         = wire.CodeInternal
)

// Error is an error whose message is safe to show to a user.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Code + ": " + e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + e.Fields[k]
	}
	return e.Code + ": " + e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf makes an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound says that a thing of this kind does not exist (or is not yours to see).
func NotFound(what string) *Error { return Errorf(CodeNotFound, "%s not found", what) }

// HasCode reports whether err is (or wraps) an Error with this code.
func HasCode(err error, code string) bool {
	var de *Error
	return errors.As(err, &de) && de.Code == code
}

// Fields collects per-field validation messages.
type Fields map[string]string

// Add records msg for field unless the field already has one: the first
// problem is usually the one to fix first.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns a validation error, or nil when no field has a problem.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeValidation, Message: "some fields need attention", Fields: f}
}
