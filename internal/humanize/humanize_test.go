package humanize

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHumanize(t *testing.T) {
	assert.Equal(t, "850ms", Duration(850*time.Millisecond))
	assert.Equal(t, "12.3s", Duration(12300*time.Millisecond))
	assert.Equal(t, "2m05s", Duration(125*time.Second))
	assert.Equal(t, "412.3 MB", Bytes(412_345_678))
	assert.Equal(t, "1.0 kB", Bytes(1000))
	assert.Equal(t, "999 B", Bytes(999))
	assert.Equal(t, "9c8b7a6d5e4f", ShortID("sha256:9c8b7a6d5e4f0011"))
	assert.Equal(t, "abc", ShortID("abc"))
}
