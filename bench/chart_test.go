package main

import (
	"bytes"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNiceBounds(t *testing.T) {
	assert.Equal(t, 100.0, niceBelow(137))
	assert.Equal(t, 200.0, niceBelow(200))
	assert.Equal(t, 500.0, niceBelow(999))
	assert.Equal(t, 20000.0, niceAbove(11234))
	assert.Equal(t, 500.0, niceAbove(500))
	assert.Equal(t, 1000.0, niceAbove(501))
}

func TestLogScale(t *testing.T) {
	s := newLogScale([]ChartRow{{Samples: []float64{137, 400}}, {Samples: []float64{11234, math.NaN()}}})
	assert.Equal(t, logScale{Lo: 100, Hi: 20000}, s)
	assert.Equal(t, []float64{100, 200, 500, 1000, 2000, 5000, 10000, 20000}, s.Ticks())
	assert.Equal(t, plotLeft, s.X(100))
	assert.Equal(t, plotRight, s.X(20000))
	assert.Less(t, s.X(400), s.X(420), "monotonic")
	assert.Equal(t, plotLeft, s.X(1), "clamped")
	// Equal ratios are equal distances on a log axis.
	assert.InDelta(t, s.X(1000)-s.X(100), s.X(10000)-s.X(1000), 1)
}

func TestFormatMs(t *testing.T) {
	assert.Equal(t, "85 ms", formatMs(85.4))
	assert.Equal(t, "1.2 s", formatMs(1234))
	assert.Equal(t, "12.3 s", formatMs(12345))
	assert.Equal(t, "200 ms", formatTick(200))
	assert.Equal(t, "2 s", formatTick(2000))
	assert.Equal(t, "n/a", formatMs(math.NaN()))
}

func TestRenderChart(t *testing.T) {
	rows := []ChartRow{
		{Label: "cold start", Samples: []float64{9000, 10000, 12000}, Color: colorCold},
		{Label: "restore", Samples: []float64{390, 400, 450}, Color: colorRestore},
		{Label: "nothing measured", Samples: []float64{math.NaN()}, Color: colorFloor},
	}
	var buf bytes.Buffer
	require.NoError(t, RenderChart(&buf, "title", "subtitle", rows))
	img, err := png.Decode(&buf)
	require.NoError(t, err)
	assert.Equal(t, chartWidth, img.Bounds().Dx())
	assert.Equal(t, chartTop+3*rowHeight+chartBottom, img.Bounds().Dy())

	s := newLogScale(rows)
	rgba := func(x, y int) color.RGBA {
		r, g, b, a := img.At(x, y).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
	}
	for i, r := range rows[:2] {
		cy := chartTop + i*rowHeight + rowHeight/2
		assert.Equal(t, colorMedian, rgba(s.X(Summarize(r.Samples).Median), cy-10), "median bar of %s", r.Label)
		// The min-max line, away from dots and the median bar.
		x := (s.X(r.Samples[0]) + s.X(r.Samples[1])) / 2
		assert.Equal(t, r.Color, rgba(x, cy), "range line of %s", r.Label)
	}
	cy := chartTop + 2*rowHeight + rowHeight/2
	for x := plotLeft + 80; x < plotRight; x += 7 {
		assert.NotEqual(t, colorMedian, rgba(x, cy-10), "no median for a row without data")
	}
}
