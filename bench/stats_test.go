package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float64
		want Summary
	}{
		{"odd", []float64{30, 10, 20}, Summary{N: 3, Min: 10, Median: 20, Max: 30}},
		{"even: mean of the middle two", []float64{4, 1, 3, 2}, Summary{N: 4, Min: 1, Median: 2.5, Max: 4}},
		{"one", []float64{7}, Summary{N: 1, Min: 7, Median: 7, Max: 7}},
		{"NaN left out", []float64{5, math.NaN(), 1, 3}, Summary{N: 3, Min: 1, Median: 3, Max: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Summarize(tc.in))
		})
	}
}

func TestSummarizeNothing(t *testing.T) {
	s := Summarize([]float64{math.NaN()})
	assert.Equal(t, 0, s.N)
	assert.True(t, math.IsNaN(s.Median))
}

func TestSummarizeDoesNotReorderItsInput(t *testing.T) {
	in := []float64{3, 1, 2}
	Summarize(in)
	assert.Equal(t, []float64{3, 1, 2}, in)
}

func TestRatio(t *testing.T) {
	assert.InDelta(t, 0.25, Ratio(Summarize([]float64{100}), Summarize([]float64{400})), 1e-9)
	assert.True(t, math.IsNaN(Ratio(Summary{}, Summarize([]float64{1}))))
	assert.True(t, math.IsNaN(Ratio(Summarize([]float64{1}), Summarize([]float64{0}))))
}

func TestDiffs(t *testing.T) {
	d := Diffs([]float64{10, 20, math.NaN()}, []float64{1, 5, 1})
	assert.Equal(t, []float64{9, 15}, d[:2])
	assert.True(t, math.IsNaN(d[2]))
}
