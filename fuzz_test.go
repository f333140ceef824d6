package zhidu_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/zhidu/zhidu"
)

// The fuzz targets of the shared vocabulary's validators. Their seed
// corpora are in testdata/fuzz/FuzzX/ and run as unit tests with every go
// test; deploy/test.sh fuzzes each for a few seconds.

func FuzzCheckText(f *testing.F) {
	for _, seed := range []string{"", "报销 2026", "line\nbreak\ttab\r", "a\x00b", "a\x7fb", "a\u0085b", "\xff", "\xc3", "invoice \u202egnp.exe",
		"a\u2066b\u2069", "sa\u200bles", "\ufeffBOM", "soft\u00adhyphen", "👩\u200d💻", "a\u2028b", "'; DROP TABLE tasks; --", "{{.Token}} ${jndi:ldap://x/a}"} {
		f.Add(seed, true)
		f.Add(seed, false)
	}
	f.Fuzz(func(t *testing.T, s string, long bool) {
		msg := zhidu.CheckText(s, long)
		if !msg.IsZero() {
			if !strings.HasPrefix(msg.Code, "text.") {
				t.Fatalf("CheckText(%q) = %v, not a text message", s, msg)
			}
			return
		}
		// What CheckText takes is valid UTF-8 without NUL, controls (but
		// tabs and line breaks in long text) or bidi controls, and in one
		// line without invisible format characters or line separators.
		if !utf8.ValidString(s) {
			t.Fatalf("CheckText took invalid UTF-8 %q", s)
		}
		for _, r := range s {
			switch {
			case long && (r == '\n' || r == '\t' || r == '\r'):
			case unicode.IsControl(r) || zhidu.BidiControl(r):
				t.Fatalf("CheckText(%q, %v) took %U", s, long, r)
			case !long && (unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'):
				t.Fatalf("CheckText(%q, one line) took %U", s, r)
			}
		}
		if !long && !zhidu.CheckText(s, true).IsZero() {
			t.Fatalf("%q is one line but not long text", s)
		}
	})
}

var phone = regexp.MustCompile(`^\+?[0-9]{7,15}$`)

func FuzzNormalizePhone(f *testing.F) {
	for _, seed := range []string{"", "138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "+1 415 555 0100", "123456", "1234567890123456",
		"+", "++1234567", "12+34567", "１２３４５６７", "+860086123456789", "0086+861234567", " 1234567 ", "1234567\u200b", "123\x004567"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := zhidu.NormalizePhone(s)
		if !ok {
			if n != "" {
				t.Fatalf("NormalizePhone(%q) refused with %q", s, n)
			}
			return
		}
		if !phone.MatchString(n) {
			t.Fatalf("NormalizePhone(%q) = %q, not ^\\+?[0-9]{7,15}$", s, n)
		}
		if again, ok := zhidu.NormalizePhone(n); !ok || again != n {
			t.Fatalf("NormalizePhone(%q) = %q, but NormalizePhone(%q) = %q, %v", s, n, n, again, ok)
		}
	})
}

var companyID = regexp.MustCompile(`^[0-9A-Z]{1,40}$`)

func FuzzNormalizeCompanyID(f *testing.F) {
	for _, seed := range []string{"", "91310000MA1FL8XQ3K", "9131-0000 ma1f l8xq3k", strings.Repeat("9", 41), "-", "ı", "ß", "ǅ", "91310000MA1FL8XQ3K\u200b", "Ａ1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := zhidu.NormalizeCompanyID(s)
		if !ok {
			return
		}
		if !companyID.MatchString(n) {
			t.Fatalf("NormalizeCompanyID(%q) = %q, not ^[0-9A-Z]{1,40}$", s, n)
		}
		if again, ok := zhidu.NormalizeCompanyID(n); !ok || again != n {
			t.Fatalf("NormalizeCompanyID(%q) = %q, but NormalizeCompanyID(%q) = %q, %v", s, n, n, again, ok)
		}
	})
}

// fuzzForm has a field of every type, rows among them, with limits.
var fuzzForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "remark", Type: zhidu.FieldText, MaxLength: 20, RequiredFor: []string{"reject"}},
		{Name: "amount", Type: zhidu.FieldNumber},
		{Name: "ok", Type: zhidu.FieldBoolean},
		{Name: "due", Type: zhidu.FieldDate},
		{Name: "channel", Type: zhidu.FieldChoice, Choices: []string{"phone", "web"}, Required: true},
		{Name: "people", Type: zhidu.FieldList},
		{Name: "quotes", Type: zhidu.FieldRows, MinRows: 1, MaxRows: 3, Columns: []zhidu.Field{
			{Name: "supplier", Type: zhidu.FieldText, Required: true, MaxLength: 10},
			{Name: "price", Type: zhidu.FieldNumber},
			{Name: "chosen", Type: zhidu.FieldBoolean},
		}},
		{Name: "broken", Type: zhidu.FieldRows}, // a definition's mistake: no columns
	},
	Outcomes: []string{"approve", "reject"},
}

func FuzzFormValidate(f *testing.F) {
	for _, seed := range []struct{ outcome, data string }{
		{"approve", `{"channel":"phone"}`},
		{"approve", `{"channel":"web","remark":"ok","amount":12.5,"ok":true,"due":"2026-11-27","people":["cs.head"],"quotes":[{"supplier":"江南","price":3,"chosen":true}]}`},
		{"reject", `{"channel":"web"}`},
		{"maybe", `{}`},
		{"approve", `{"channel":"fax","remark":"` + strings.Repeat("长", 21) + `","amount":"12","ok":"yes","due":"2026-02-30","people":"cs.head"}`},
		{"approve", `{"channel":"web","quotes":[]}`},
		{"approve", `{"channel":"web","quotes":[1,{"supplier":""},{"supplier":"a","extra":1},{}]}`},
		{"approve", `{"channel":"web","broken":[{}]}`},
		{"approve", `{"channel":"web","assignee":"gm","state":"completed","candidates":[],"level":"top_secret"}`},
		{"approve", `{"channel":"web","remark":"a\u0000b","people":["a\u202eb"]}`},
		{"approve", `{"channel":"web","quotes":{"supplier":"x"}}`},
	} {
		f.Add(seed.outcome, []byte(seed.data))
	}
	fields := map[string]zhidu.Field{}
	for _, fd := range fuzzForm.Fields {
		fields[fd.Name] = fd
	}
	f.Fuzz(func(t *testing.T, outcome string, raw []byte) {
		var data map[string]any // as Temporal's JSON converter hands it to the validator
		if json.Unmarshal(raw, &data) != nil {
			return
		}
		errs := fuzzForm.Validate(outcome, data)
		for path, msg := range errs {
			if path != "outcome" && !strings.HasPrefix(path, "data.") || msg.IsZero() {
				t.Fatalf("error %q: %v", path, msg)
			}
		}
		if errs != nil {
			return
		}
		// An accepted submission is what the form promised.
		if outcome != "approve" && outcome != "reject" {
			t.Fatalf("outcome %q accepted", outcome)
		}
		for name, v := range data {
			fd, ok := fields[name]
			if !ok {
				t.Fatalf("field %q accepted, not in the form", name)
			}
			if v == nil || v == "" {
				continue
			}
			switch fd.Type {
			case zhidu.FieldText, zhidu.FieldChoice:
				s := v.(string)
				limit := fd.MaxLength
				if limit == 0 {
					limit = zhidu.DefaultMaxTextLength
				}
				if !zhidu.CheckText(s, true).IsZero() || utf8.RuneCountInString(s) > limit {
					t.Fatalf("%s = %q accepted", name, s)
				}
			case zhidu.FieldRows:
				rows := v.([]any)
				if name == "broken" || len(rows) > fd.MaxRows || len(rows) < fd.MinRows {
					t.Fatalf("%s with %d rows accepted", name, len(rows))
				}
				for _, r := range rows {
					row := r.(map[string]any)
					if s, _ := row["supplier"].(string); s == "" || utf8.RuneCountInString(s) > 10 {
						t.Fatalf("row %v accepted", row)
					}
					for k := range row {
						if k != "supplier" && k != "price" && k != "chosen" {
							t.Fatalf("column %q accepted", k)
						}
					}
				}
			case zhidu.FieldList:
				for _, it := range v.([]any) {
					if !zhidu.CheckText(it.(string), false).IsZero() {
						t.Fatalf("%s item %q accepted", name, it)
					}
				}
			}
		}
		if c, _ := data["channel"].(string); c != "phone" && c != "web" {
			t.Fatalf("channel %v accepted", data["channel"])
		}
		if r, _ := data["remark"].(string); outcome == "reject" && r == "" {
			t.Fatalf("reject without a remark accepted")
		}
	})
}
