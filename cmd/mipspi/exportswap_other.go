//go:build !linux

package main

// exchangeDirs: only Linux swaps two names in one step; elsewhere the export moves the
// old set aside and the new one in (commitExport).
func exchangeDirs(a, b string) error { return errNoExchange }
