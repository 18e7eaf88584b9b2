package auth

import (
	_ "embed"
	"strings"
)

//go:embed common_passwords.txt
var commonList string

var common = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// CommonPassword reports whether a password is one of the passwords people
// pick most often (the first to be guessed), compared case-insensitively.
func CommonPassword(pw string) bool {
	return common[strings.ToLower(strings.TrimSpace(pw))]
}
