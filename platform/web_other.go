//go:build !js

package platform

import "net/url"

const inBrowser = false

func openHere(*url.URL) error { return ErrNotInBrowser }

func origin() string { return "" }

func startLink() string { return "" }

func narrow() bool { return false }

func exposeTestHook(func(string) string) {}

func prepareFile(string, string, []byte) (string, error) { return "", ErrNotInBrowser }

func saveFile(string) error { return ErrNotInBrowser }
