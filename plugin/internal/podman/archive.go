package podman

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/containers/podman/v4/pkg/bindings/containers"
	"github.com/containers/storage/pkg/archive"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// errEnough stops an archive stream once the reader has what it needs.
var errEnough = errors.New("read enough")

// readContainerFile returns the first max bytes of a file inside a container (running or
// stopped), or its last max bytes when fromEnd is set, through the archive API. It returns an
// error that isNotFound recognises when the file is missing.
func readContainerFile(ctx context.Context, nameOrID, path string, max int64, fromEnd bool) ([]byte, error) {
	var data []byte
	err := walkContainerTar(ctx, nameOrID, path, func(h *tar.Header, r io.Reader) (bool, error) {
		if h.Typeflag != tar.TypeReg {
			return false, nil
		}
		var err error
		if fromEnd {
			if skip := h.Size - max; skip > 0 {
				_, err = io.CopyN(io.Discard, r, skip)
			}
			if err == nil {
				data, err = io.ReadAll(r)
			}
		} else {
			data, err = io.ReadAll(io.LimitReader(r, max))
		}
		return true, err
	})
	return data, err
}

// treeSize sums the sizes of the regular files under a directory inside a container and counts
// them.
func treeSize(ctx context.Context, nameOrID, dir string) (size int64, files int, err error) {
	err = walkContainerTar(ctx, nameOrID, dir, func(h *tar.Header, _ io.Reader) (bool, error) {
		if h.Typeflag == tar.TypeReg {
			size += h.Size
			files++
		}
		return false, nil
	})
	return size, files, err
}

// hasCheckpointFiles says whether a stopped checkpoint run added files to its checkpoint
// directory, from the container's changes against its image (Podman lists them from the
// container's own layer: 20-30 ms, where reading the directory through the archive API mounts the
// stopped container first, 150 ms, and streaming the whole checkpoint took 0.3 s for 130 MB). The
// changes name the real paths, and /output is a symbolic link into the server's output directory
// (/opt/ol/wlp/output/defaultServer), so a file matches on the checkpoint directory's part below
// /output.
func hasCheckpointFiles(ctx context.Context, nameOrID string) (bool, error) {
	changes, err := containers.Diff(ctx, nameOrID, nil)
	if err != nil {
		return false, err
	}
	below := "/" + strings.TrimPrefix(engine.CheckpointDir, "/output/") + "/"
	for _, c := range changes {
		if c.Kind != archive.ChangeDelete && strings.Contains(c.Path, below) && !strings.HasSuffix(c.Path, "/") {
			return true, nil
		}
	}
	return false, nil
}

// writtenSize is what a container wrote to its own layer, in bytes: for a checkpoint run, the
// checkpoint and the run's logs, the size of the layer a commit adds. Podman counts it from the
// file sizes (30 ms for a 130 MB checkpoint) without reading the files.
func writtenSize(ctx context.Context, nameOrID string) (int64, error) {
	yes := true
	data, err := containers.Inspect(ctx, nameOrID, &containers.InspectOptions{Size: &yes})
	if err != nil {
		return 0, err
	}
	if data.SizeRw == nil {
		return 0, errors.New("podman reported no size of the container's writable layer")
	}
	return *data.SizeRw, nil
}

// walkContainerTar streams path out of a container as a tar archive and calls visit for each
// entry until visit says it is done (or fails), then stops the stream.
func walkContainerTar(ctx context.Context, nameOrID, path string, visit func(h *tar.Header, r io.Reader) (done bool, err error)) error {
	pr, pw := io.Pipe()
	walked := make(chan error, 1)
	go func() {
		tr := tar.NewReader(pr)
		var err error
		for {
			var h *tar.Header
			if h, err = tr.Next(); err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				break
			}
			var done bool
			if done, err = visit(h, tr); done || err != nil {
				break
			}
		}
		pr.CloseWithError(errEnough)
		walked <- err
	}()
	err := copyFromContainer(ctx, nameOrID, path, pw)
	werr := <-walked
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	return werr
}

func copyFromContainer(ctx context.Context, nameOrID, path string, w *io.PipeWriter) error {
	copyFn, err := containers.CopyToArchive(ctx, nameOrID, path, w)
	if err != nil {
		w.CloseWithError(err)
		return err
	}
	err = copyFn()
	w.CloseWithError(err) // nil: EOF for the reader
	if err != nil && errors.Is(err, errEnough) {
		return errEnough
	}
	return err
}
