package podman

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/containers/podman/v4/pkg/bindings/containers"
)

// errEnough stops an archive stream once the reader has what it needs.
var errEnough = errors.New("read enough")

// readContainerFile returns the first max bytes of a file inside a container (running or
// stopped), or its last max bytes when fromEnd is set, through the archive API. It returns an
// error that isNotFound recognises when the file is missing.
func readContainerFile(ctx context.Context, nameOrID, path string, max int64, fromEnd bool) ([]byte, error) {
	pr, pw := io.Pipe()
	type result struct {
		data []byte
		err  error
	}
	res := make(chan result, 1)
	go func() {
		tr := tar.NewReader(pr)
		for {
			h, err := tr.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				pr.CloseWithError(errEnough)
				res <- result{err: err}
				return
			}
			if h.Typeflag == tar.TypeReg {
				var data []byte
				var err error
				if fromEnd {
					if skip := h.Size - max; skip > 0 {
						_, err = io.CopyN(io.Discard, tr, skip)
					}
					if err == nil {
						data, err = io.ReadAll(tr)
					}
				} else {
					data, err = io.ReadAll(io.LimitReader(tr, max))
				}
				pr.CloseWithError(errEnough)
				res <- result{data: data, err: err}
				return
			}
		}
	}()
	err := copyFromContainer(ctx, nameOrID, path, pw)
	r := <-res
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return r.data, r.err
}

// treeSize sums the sizes of the regular files under a directory inside a container and counts
// them.
func treeSize(ctx context.Context, nameOrID, dir string) (size int64, files int, err error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		tr := tar.NewReader(pr)
		for {
			h, err := tr.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				pr.CloseWithError(errEnough)
				done <- err
				return
			}
			if h.Typeflag == tar.TypeReg {
				size += h.Size
				files++
			}
		}
	}()
	err = copyFromContainer(ctx, nameOrID, dir, pw)
	terr := <-done
	if err != nil && !errors.Is(err, errEnough) {
		return 0, 0, err
	}
	return size, files, terr
}

func copyFromContainer(ctx context.Context, nameOrID, path string, w *io.PipeWriter) error {
	copyFn, err := containers.CopyToArchive(ctx, nameOrID, path, w)
	if err != nil {
		w.CloseWithError(err)
		return err
	}
	err = copyFn()
	w.CloseWithError(err) // nil: EOF for the reader
	if err != nil && strings.Contains(err.Error(), errEnough.Error()) {
		return errEnough
	}
	return err
}
