package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chorus-advocacy/chorus/backend/internal/config"
	"github.com/chorus-advocacy/chorus/backend/internal/demosso"
	"github.com/chorus-advocacy/chorus/backend/internal/seed"
	"github.com/chorus-advocacy/chorus/backend/internal/store"
)

// demoNewcomer has no account until they sign in with the demo provider:
// single sign-on's just-in-time membership, to try.
const demoNewcomer = "nora.newcomer@demo.test"

// demoSSO runs the demo's OpenID provider on loopback and switches the
// demo program's "Sign in with Demo Company" on with it (saved again at
// each start: the provider's port changes).
func demoSSO(ctx context.Context, st *store.Store, sealer interface{ Seal(string) string }, publicURL, programID string, log *slog.Logger) (stop func(), err error) {
	people := []demosso.Person{{Email: seed.DemoManager, Name: "Mei Manager"}}
	for i := 1; i <= 5; i++ {
		name := "Member " + string(rune('0'+i))
		if u, err := st.UserByEmail(ctx, seed.DemoMember(i)); err == nil {
			name = u.Name
		}
		people = append(people, demosso.Person{Email: seed.DemoMember(i), Name: name})
	}
	people = append(people, demosso.Person{Email: demoNewcomer, Name: "Nora Newcomer"})
	p, err := demosso.Start(publicURL, people)
	if err != nil {
		return nil, err
	}
	err = st.SaveSSO(ctx, store.SSO{ProgramID: programID, Enabled: true, DisplayName: "Demo Company", IssuerURL: p.Issuer,
		ClientID: p.ClientID, ClientSecret: sealer.Seal(p.ClientSecret), AllowedDomains: []string{"demo.test"}, PasswordLogin: true, UpdatedAt: time.Now()})
	if err != nil {
		_ = p.Close(ctx)
		return nil, err
	}
	log.Info("demo single sign-on ready", "issuer", p.Issuer, "newcomer", demoNewcomer)
	return func() {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = p.Close(c)
	}, nil
}

// configSSO saves the single sign-on the configuration sets (CHORUS_SSO_*)
// for its program, at each start: the configuration wins over what was
// saved before.
func configSSO(ctx context.Context, st *store.Store, sealer interface{ Seal(string) string }, c config.SSO) error {
	if c.Program == "" {
		return nil
	}
	p, err := st.Program(ctx, c.Program)
	if err != nil {
		return fmt.Errorf("%s=%s: %w", config.EnvSSOProgram, c.Program, err)
	}
	name := c.Name
	if name == "" {
		name = p.Name
	}
	return st.SaveSSO(ctx, store.SSO{ProgramID: p.ID, Enabled: true, DisplayName: name, IssuerURL: c.Issuer, ClientID: c.ClientID,
		ClientSecret: sealer.Seal(c.ClientSecret), AllowedDomains: c.Domains, PasswordLogin: c.PasswordLogin, UpdatedAt: time.Now()})
}
