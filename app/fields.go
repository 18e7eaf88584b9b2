package app

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/chorus-advocacy/chorus/backend/client"
)

// A form's problems go under their fields, in the person's language: the
// password screens, sign-in and the activity editor share these.

// fieldNote is the small red line under a form field for its problem.
func fieldNote() *widget.Label {
	l := caption("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// fieldProblem is the server's reason for one field, in the person's
// language when it is one the app knows, else as the server wrote it.
func fieldProblem(tr *Tr, msg string) string {
	switch {
	case msg == "":
		return ""
	case msg == "is required":
		return tr.T("password.required")
	case strings.HasPrefix(msg, "must be at least"):
		return tr.T("password.too_short")
	case strings.HasPrefix(msg, "must be at most"):
		return tr.T("password.too_long")
	case strings.HasPrefix(msg, "is one of the most common passwords"):
		return tr.T("password.common")
	case msg == "is not your current password":
		return tr.T("password.wrong_current")
	case strings.HasPrefix(msg, "must be an email address"):
		return tr.T("forgot.bad_email")
	}
	return msg
}

// showFields puts each field's problem from err under its field (notes by
// the API's field name) and answers whether any was shown.
func showFields(tr *Tr, err error, notes map[string]*widget.Label) bool {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return false
	}
	shown := false
	for field, note := range notes {
		if m, ok := ce.Fields[field]; ok {
			say(note, fieldProblem(tr, m))
			shown = true
		}
	}
	return shown
}

func clearNotes(notes ...*widget.Label) {
	for _, n := range notes {
		say(n, "")
	}
}
