//go:build example

package authz_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/authz"
)

// TestExampleLeaveStartLines: the example process's declared starters
// (staff and supervisors, in their own department) are its start lines in
// the default policy, and nobody else's.
func TestExampleLeaveStartLines(t *testing.T) {
	var got []string
	for _, l := range authz.DefaultPolicy() {
		if l[2] == authz.StartObject("example_leave") {
			got = append(got, strings.Join(l, " "))
		}
	}
	want := []string{"staff own process:example_leave start", "supervisor own process:example_leave start"}
	if !slices.Equal(got, want) {
		t.Errorf("start lines = %q, want %q", got, want)
	}
}
