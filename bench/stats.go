package main

import (
	"math"
	"slices"
)

// Summary is the spread of one measurement over the rounds.
type Summary struct {
	N                int
	Min, Median, Max float64
}

// Summarize returns the minimum, median (the mean of the two middle values for an even count) and
// maximum of xs; NaN values (a round that could not measure) are left out.
func Summarize(xs []float64) Summary {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return Summary{Min: math.NaN(), Median: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(v)
	n := len(v)
	med := v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return Summary{N: n, Min: v[0], Median: med, Max: v[n-1]}
}

// Ratio is a's median over b's (NaN when either is missing or b's is 0).
func Ratio(a, b Summary) float64 {
	if a.N == 0 || b.N == 0 || b.Median == 0 {
		return math.NaN()
	}
	return a.Median / b.Median
}

// Diffs returns a[i] - b[i] for each round (NaN where either is NaN); the parts of a restore are
// differences of timestamps taken in the same round.
func Diffs(a, b []float64) []float64 {
	out := make([]float64, min(len(a), len(b)))
	for i := range out {
		out[i] = a[i] - b[i]
	}
	return out
}
