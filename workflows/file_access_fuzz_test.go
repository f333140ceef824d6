package workflows

import (
	"strings"
	"testing"
	"time"
)

// FuzzGrantDuration: a requested grant's duration is refused with a
// message, or it is above zero, within the maximum, and what
// time.ParseDuration reads from the text. The seed corpus is in
// testdata/fuzz/FuzzGrantDuration/; deploy/test.sh fuzzes it briefly.
func FuzzGrantDuration(f *testing.F) {
	for _, seed := range []string{"", " ", "8h", " 90m ", "1h30m", "0", "0s", "-1h", "169h", "168h", "1.5h", "1e3h", "9223372036854775807ns",
		"99999999999h", "1h\x00", "1h\u200b", "8 h", "P1D", "1d", "NaNh", "+1h", ".5h", "1h-1m"} {
		f.Add(seed)
	}
	const max = 168 * time.Hour
	f.Fuzz(func(t *testing.T, s string) {
		d, msg := grantDuration(s, max)
		if !msg.IsZero() {
			if d != 0 {
				t.Fatalf("grantDuration(%q) refused with %v but gave %v", s, msg, d)
			}
			if !strings.HasPrefix(msg.Code, "file_access.") && msg.Code != "field.required" {
				t.Fatalf("grantDuration(%q) = %v", s, msg)
			}
			return
		}
		if d <= 0 || d > max {
			t.Fatalf("grantDuration(%q) = %v, outside (0, %v]", s, d, max)
		}
		if want, err := time.ParseDuration(strings.TrimSpace(s)); err != nil || want != d {
			t.Fatalf("grantDuration(%q) = %v, time.ParseDuration says %v, %v", s, d, want, err)
		}
	})
}
