package contract

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestWatchHost(t *testing.T) {
	gone := make(chan struct{})
	go watchHost(context.Background(), os.Getppid()+1, 5*time.Millisecond, func() { close(gone) })
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("a changed parent was not noticed")
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		watchHost(ctx, os.Getppid(), 5*time.Millisecond, func() { t.Error("the parent is still there") })
		close(done)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("watchHost did not return when its context ended")
	}
}
