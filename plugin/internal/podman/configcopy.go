package podman

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// copyConfigDir copies the Liberty configuration directory src into the build context at dst:
// its directories and regular files. A symbolic link that stays inside src is copied as its
// target (a file's content, a directory's tree), so the image gets the same files whatever
// filesystem the build context is on (a hard link to the link itself would carry the link into
// the context). A link that leads out of src, or nowhere, is refused, naming the file: the
// configuration must not pull in files from elsewhere on the machine.
func copyConfigDir(src, dst string) error {
	root, err := filepath.EvalSymlinks(src)
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make the configuration directory readable", "cannot read config_dir %s", src), "config_dir")
	}
	c := configCopy{root: root, shown: src, seen: map[string]bool{}}
	return c.tree(root, "", dst)
}

type configCopy struct {
	root  string          // the configuration directory, symlinks resolved
	shown string          // how the user named it
	seen  map[string]bool // directories copied on the current path, against link loops
}

// tree copies the directory dir (resolved), which is rel in the configuration, to dst.
func (c *configCopy) tree(dir, rel, dst string) error {
	if c.seen[dir] {
		return c.refuse(rel, "is a link to a directory that contains it (a loop)")
	}
	c.seen[dir] = true
	defer delete(c.seen, dir)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return c.unreadable(rel, err)
	}
	for _, de := range entries {
		name := filepath.Join(rel, de.Name())
		path := filepath.Join(dir, de.Name())
		target := filepath.Join(dst, de.Name())
		if de.Type()&fs.ModeSymlink != 0 {
			resolved, err := filepath.EvalSymlinks(path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return c.refuse(name, "is a link to nothing")
			case err != nil:
				return c.unreadable(name, err)
			case !engine.Within(c.root, resolved):
				return c.refuse(name, "is a link out of the configuration directory (to "+resolved+")")
			}
			path = resolved
		}
		fi, err := os.Stat(path)
		if err != nil {
			return c.unreadable(name, err)
		}
		switch {
		case fi.IsDir():
			err = c.tree(path, name, target)
		case fi.Mode().IsRegular():
			err = copyFile(path, target)
			if err != nil {
				err = c.unreadable(name, err)
			}
		}
		if err != nil {
			return err // sockets, devices and the like are not configuration: skipped above
		}
	}
	return nil
}

func (c *configCopy) refuse(name, why string) error {
	return engine.Invalid("config_dir", "copy the file into the configuration directory, or make the link point inside it",
		"%s in config_dir %s %s", name, c.shown, why)
}

func (c *configCopy) unreadable(name string, err error) error {
	e := engine.Wrap(err, engine.CodeFailedPrecondition, "make the configuration directory readable",
		"cannot copy %s", filepath.Join(c.shown, name))
	e.Field = "config_dir"
	return e
}
