//go:build !linux

package main

// watchReaderGone: elsewhere the next write's SIGPIPE is how a vanished reader shows.
func watchReaderGone(func()) {}
