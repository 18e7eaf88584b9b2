//go:build !js

package platform

func origin() string { return "" }

func narrow() bool { return false }

func exposeTestHook(func(string) string) {}
