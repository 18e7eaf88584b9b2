package client

import (
	"context"
	"net/http"
)

// ChangePassword is POST /api/v1/me/password: the person proves their
// current password and chooses a new one.
type ChangePassword struct {
	CurrentPassword string `json:"current_password" maxLength:"password"`
	NewPassword     string `json:"new_password" maxLength:"password"`
}

// ForgotPassword is POST /api/v1/auth/password/forgot.
type ForgotPassword struct {
	Email string `json:"email" maxLength:"email"`
}

// ForgotPasswordAnswer is the same for every address, known or not.
type ForgotPasswordAnswer struct {
	Message string `json:"message"`
}

// ResetPassword is POST /api/v1/auth/password/reset: a reset token from
// the email and the new password.
type ResetPassword struct {
	Token       string `json:"token" maxLength:"key"`
	NewPassword string `json:"new_password" maxLength:"password"`
}

// ChangePassword sets the signed-in person's new password. Every other
// session of theirs ends; this one stays.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	_, err := do[struct{}](ctx, c, http.MethodPost, "/api/v1/me/password", ChangePassword{CurrentPassword: current, NewPassword: next})
	return err
}

// ForgotPassword asks for a reset link by email. The answer is the same
// whether or not the address has an account.
func (c *Client) ForgotPassword(ctx context.Context, email string) (ForgotPasswordAnswer, error) {
	return do[ForgotPasswordAnswer](ctx, c, http.MethodPost, "/api/v1/auth/password/forgot", ForgotPassword{Email: email})
}

// ResetPassword spends a reset token on a new password and keeps the new
// session's token for later calls. Every earlier session of the account ends.
func (c *Client) ResetPassword(ctx context.Context, token, next string) (Session, error) {
	s, err := do[Session](ctx, c, http.MethodPost, "/api/v1/auth/password/reset", ResetPassword{Token: token, NewPassword: next})
	if err == nil {
		c.SetToken(s.Token)
	}
	return s, err
}
