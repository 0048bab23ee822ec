package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// ChartRow is one distribution on the chart: every round's value (ms) of one variant.
type ChartRow struct {
	Label   string
	Samples []float64
	Color   color.RGBA
}

// Chart geometry (pixels). basicfont's glyphs are 7x13.
const (
	chartWidth  = 1000
	labelWidth  = 330
	plotLeft    = labelWidth + 10
	plotRight   = chartWidth - 110 // room for the median text
	chartTop    = 60
	rowHeight   = 44
	chartBottom = 70
)

var (
	colorText   = color.RGBA{0x20, 0x20, 0x20, 0xff}
	colorMuted  = color.RGBA{0x70, 0x70, 0x70, 0xff}
	colorGrid   = color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	colorBand   = color.RGBA{0xf4, 0xf4, 0xf4, 0xff}
	colorMedian = color.RGBA{0x10, 0x10, 0x10, 0xff}
	// Row colors: the cold start, a restore, the floors.
	colorCold    = color.RGBA{0xc0, 0x39, 0x2b, 0xff}
	colorRestore = color.RGBA{0x1e, 0x84, 0x49, 0xff}
	colorFloor   = color.RGBA{0x7f, 0x8c, 0x8d, 0xff}
	// The instrumented restore and the attached no-op runs: references, lighter.
	colorRestoreLog = color.RGBA{0x7d, 0xc3, 0x8f, 0xff}
	colorReference  = color.RGBA{0xb4, 0xbc, 0xbd, 0xff}
)

// logScale maps milliseconds to x pixels on a log axis from Lo to Hi.
type logScale struct{ Lo, Hi float64 }

// newLogScale picks an axis from the 1-2-5 series that holds every value in rows.
func newLogScale(rows []ChartRow) logScale {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		for _, v := range r.Samples {
			if v > 0 && !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 100, 1000
	}
	s := logScale{Lo: niceBelow(lo), Hi: niceAbove(hi)}
	if s.Hi <= s.Lo {
		s.Hi = niceAbove(s.Lo * 1.01)
	}
	return s
}

// niceSteps is the 1-2-5 series within a decade.
var niceSteps = []float64{1, 2, 5, 10}

// niceBelow is the largest 1-2-5 value <= v; niceAbove the smallest >= v.
func niceBelow(v float64) float64 {
	d := math.Pow(10, math.Floor(math.Log10(v)))
	for i := len(niceSteps) - 1; i >= 0; i-- {
		if niceSteps[i]*d <= v*(1+1e-9) {
			return niceSteps[i] * d
		}
	}
	return d
}

func niceAbove(v float64) float64 {
	d := math.Pow(10, math.Floor(math.Log10(v)))
	for _, s := range niceSteps {
		if s*d >= v*(1-1e-9) {
			return s * d
		}
	}
	return 10 * d
}

// X is the pixel column of v.
func (s logScale) X(v float64) int {
	f := (math.Log10(v) - math.Log10(s.Lo)) / (math.Log10(s.Hi) - math.Log10(s.Lo))
	f = math.Max(0, math.Min(1, f))
	return plotLeft + int(math.Round(f*float64(plotRight-plotLeft)))
}

// Ticks are the 1-2-5 values from Lo to Hi.
func (s logScale) Ticks() []float64 {
	var out []float64
	for d := math.Pow(10, math.Floor(math.Log10(s.Lo))); d <= s.Hi; d *= 10 {
		for _, st := range niceSteps[:3] {
			if v := st * d; v >= s.Lo*(1-1e-9) && v <= s.Hi*(1+1e-9) {
				out = append(out, v)
			}
		}
	}
	return out
}

// formatMs writes a duration for a label: "85 ms", "412 ms", "1.2 s", "12.3 s".
func formatMs(ms float64) string {
	switch {
	case math.IsNaN(ms):
		return "n/a"
	case ms < 1000:
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// formatTick writes an axis value: "200 ms", "1 s", "20 s".
func formatTick(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%g ms", ms)
	}
	return fmt.Sprintf("%g s", ms/1000)
}

// RenderChart draws the rows as a strip chart on a log axis and writes a PNG: for each row a
// line from the fastest to the slowest round, a dot per round and a bar at the median, whose
// value is written on the right.
func RenderChart(w io.Writer, title, subtitle string, rows []ChartRow) error {
	height := chartTop + len(rows)*rowHeight + chartBottom
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	s := newLogScale(rows)

	text(img, 12, 22, title, colorText)
	text(img, 12, 40, subtitle, colorMuted)
	plotTop, plotBottom := chartTop, chartTop+len(rows)*rowHeight
	for i := range rows {
		if i%2 == 0 {
			fill(img, image.Rect(0, plotTop+i*rowHeight, chartWidth, plotTop+(i+1)*rowHeight), colorBand)
		}
	}
	for _, t := range s.Ticks() {
		x := s.X(t)
		fill(img, image.Rect(x, plotTop, x+1, plotBottom+4), colorGrid)
		label := formatTick(t)
		text(img, x-len(label)*7/2, plotBottom+18, label, colorMuted)
	}
	fill(img, image.Rect(plotLeft, plotBottom, plotRight+1, plotBottom+1), colorMuted)
	text(img, 12, plotBottom+44, "Log scale. Line: fastest to slowest round; dots: each round; black bar: median (value on the right).", colorMuted)

	for i, r := range rows {
		cy := plotTop + i*rowHeight + rowHeight/2
		text(img, 12, cy+4, r.Label, colorText)
		sum := Summarize(r.Samples)
		if sum.N == 0 {
			text(img, plotLeft+4, cy+4, "no data", colorMuted)
			continue
		}
		x0, x1 := s.X(sum.Min), s.X(sum.Max)
		fill(img, image.Rect(x0, cy-1, x1+1, cy+2), r.Color)
		for _, v := range r.Samples {
			if !math.IsNaN(v) {
				dot(img, s.X(v), cy, 5, r.Color)
			}
		}
		xm := s.X(sum.Median)
		fill(img, image.Rect(xm-1, cy-12, xm+2, cy+13), colorMedian)
		text(img, plotRight+12, cy+4, formatMs(sum.Median), colorText)
	}
	return png.Encode(w, img)
}

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// dot draws a filled disc of radius r, half transparent so rounds on top of each other show.
func dot(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	half := color.NRGBA{c.R, c.G, c.B, 0x99}
	for y := -r; y <= r; y++ {
		for x := -r; x <= r; x++ {
			if x*x+y*y <= r*r {
				draw.Draw(img, image.Rect(cx+x, cy+y, cx+x+1, cy+y+1), image.NewUniform(half), image.Point{}, draw.Over)
			}
		}
	}
}

func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
