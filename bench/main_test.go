package main

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRoundOrder(t *testing.T) {
	const n = 7
	successors := map[int]bool{} // what runs right after variant 0
	for round := 1; round <= 20; round++ {
		o := roundOrder(42, round, n)
		sorted := slices.Sorted(slices.Values(o))
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, sorted, "a permutation")
		assert.Equal(t, o, roundOrder(42, round, n), "the seed repeats it")
		if k := slices.Index(o, 0); k < n-1 {
			successors[o[k+1]] = true
		}
	}
	assert.Greater(t, len(successors), 2, "no variant always follows the same one")
	assert.NotEqual(t, roundOrder(42, 1, n), roundOrder(43, 1, n))
}

func TestBreakdownIsRoundByRound(t *testing.T) {
	variants := []startupVariant{{Key: "restore", Restore: true}, {Key: "restore-v3", Restore: true, CriuLog: true}}
	samples := [][]startupSample{
		{{Ready: 500, Restored: 400, ResumeReported: nan(), Criu: nan()}},
		{
			{Ready: 450, Restored: 350, ResumeReported: 180, Criu: 150},
			{Ready: math.NaN(), Restored: math.NaN(), ResumeReported: math.NaN(), Criu: math.NaN()}, // a failed round
		},
	}
	got := map[string][]float64{}
	for _, s := range breakdown(variants, samples) {
		got[s.Key] = s.Values
	}
	assert.Equal(t, 170.0, got["to-entrypoint"][0], "CWWKC0452I's time minus the seconds it reports")
	assert.Equal(t, 30.0, got["to-criu"][0])
	assert.Equal(t, 150.0, got["criu"][0])
	assert.Equal(t, 100.0, got["to-200"][0])
	assert.Equal(t, 450.0, got["total"][0])
	assert.True(t, math.IsNaN(got["to-200"][1]), "a failed round stays out")
	assert.Equal(t, []float64{400}, got["restored-default"])
}
