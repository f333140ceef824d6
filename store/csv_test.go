package store

import (
	"bytes"
	"testing"
)

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example","x")`: `'=HYPERLINK("http://evil.example","x")`,
		"+86 138":                               "'+86 138",
		"-2+3":                                  "'-2+3",
		"@SUM(A1:A2)":                           "'@SUM(A1:A2)",
		"\tx":                                   "'\tx",
		"\rx":                                   "'\rx",
		"＝1+1":                                  "'＝1+1",
		"":                                      "",
		"生抽 =500ml":                             "生抽 =500ml",
		"2026-11-27":                            "2026-11-27",
		"'quoted":                               "'quoted",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	if err := w.Write([]string{"=1+1", "ok"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.String() != "'=1+1,ok\n" {
		t.Fatalf("CSV = %q", b.String())
	}
}
