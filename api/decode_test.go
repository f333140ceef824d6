package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
)

// decodeTestContext returns a Gin context for a request to target with
// body (nil for none).
func decodeTestContext(method, target string, body io.Reader) (*gin.Context, *httptest.ResponseRecorder) {
	gin.SetMode(gin.TestMode)
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(method, target, body)
	return c, w
}

// domainError returns err's *zhidu.Error, failing the test if there is none.
func domainError(t *testing.T, err error) *zhidu.Error {
	t.Helper()
	var e *zhidu.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *zhidu.Error", err, err)
	}
	return e
}

// decodeTarget has a field of each kind the request bodies use.
type decodeTarget struct {
	Title string         `json:"title"`
	Count int            `json:"count"`
	Data  map[string]any `json:"data"`
	Level *zhidu.Level   `json:"level"`
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name, body string
		want       decodeTarget
	}{
		{"empty body", "", decodeTarget{}},
		{"blank body", " \n\t ", decodeTarget{}},
		{"empty object", "{}", decodeTarget{}},
		{"null", "null", decodeTarget{}},
		{"trailing whitespace", "{\"title\":\"报销\"}\n", decodeTarget{Title: "报销"}},
		{"same key in two objects", `{"data":{"a":{"n":1},"b":{"n":2}}}`, decodeTarget{Data: map[string]any{
			"a": map[string]any{"n": json.Number("1")}, "b": map[string]any{"n": json.Number("2")}}}},
		{"nested to the limit", `{"data":{"x":` + strings.Repeat("[", maxDepth-2) + strings.Repeat("]", maxDepth-2) + `}}`, decodeTarget{
			Data: map[string]any{"x": nested(maxDepth - 2)}}},
		{"surrogate pair", `{"data":{"note":"\ud83d\ude00"}}`, decodeTarget{Data: map[string]any{"note": "😀"}}},
		{"escaped backslash before u", `{"data":{"note":"\\ud800"}}`, decodeTarget{Data: map[string]any{"note": `\ud800`}}},
		{"zero-width joiner in long text", "{\"data\":{\"note\":\"👩\u200d💻\"}}", decodeTarget{Data: map[string]any{"note": "👩\u200d💻"}}},
		{"every field", `{"title":"t","count":3,"data":{"n":1.5,"s":"x"},"level":"secret"}`, decodeTarget{
			Title: "t", Count: 3, Data: map[string]any{"n": json.Number("1.5"), "s": "x"}, Level: new(zhidu.Secret)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := decodeTestContext(http.MethodPost, "/", strings.NewReader(tt.body))
			var got decodeTarget
			if err := decode(c, &got); err != nil {
				t.Fatalf("decode(%q) = %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode(%q) = %+v, want %+v", tt.body, got, tt.want)
			}
		})
	}
}

// nested is n arrays, each holding the next.
func nested(n int) any {
	v := []any{}
	for range n - 1 {
		v = []any{v}
	}
	return v
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, body string
		field      string // the field named in Fields; "" for none
	}{
		{"unknown field", `{"title":"t","colour":"red"}`, "colour"},
		{"string for int", `{"count":"three"}`, "count"},
		{"number for string", `{"title":42}`, "title"},
		{"string for object", `{"data":"x"}`, "data"},
		{"unknown level", `{"level":"ultra"}`, "level"},
		{"number for level", `{"level":2}`, "level"},
		{"trailing object", `{} {}`, ""},
		{"trailing garbage", `{"title":"t"} x`, ""},
		{"truncated", `{"title":`, ""},
		{"not JSON", `title=t`, ""},
		{"array", `[]`, ""},
		{"duplicate key", `{"title":"a","title":"b"}`, "title"},
		{"duplicate key in another case", `{"title":"a","Title":"b"}`, "Title"},
		{"duplicate key in a map", `{"data":{"n":1,"n":2}}`, "data.n"},
		{"duplicate key in a nested object", `{"data":{"rows":[{"a":1},{"a":1,"a":2}]}}`, "data.rows.a"},
		{"invalid UTF-8 in a string", "{\"title\":\"a\xffb\"}", ""},
		{"invalid UTF-8 in a key", "{\"data\":{\"\xc3\":1}}", ""},
		{"nested too deep", `{"data":{"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}}`, ""},
		{"10000 nested arrays", strings.Repeat("[", 10000) + strings.Repeat("]", 10000), ""},
		{"lone surrogate", `{"title":"a\ud800b"}`, ""},
		{"lone low surrogate", `{"title":"\udc00"}`, ""},
		{"reversed surrogates", `{"title":"\udc00\ud800"}`, ""},
		{"high surrogate at the end", `{"title":"\ud83d`, ""},
		{"bidi override", "{\"title\":\"invoice \u202egnp.exe\"}", "title"},
		{"escaped bidi isolate", `{"title":"a\u2066b"}`, "title"},
		{"zero-width space in a key", `{"data":{"amo\u200bunt":1}}`, "data.amo?unt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := decodeTestContext(http.MethodPost, "/", strings.NewReader(tt.body))
			var got decodeTarget
			err := decode(c, &got)
			if err == nil {
				t.Fatalf("decode(%q) = nil, want an error", tt.body)
			}
			e := domainError(t, err)
			if e.Code != zhidu.CodeInvalid {
				t.Errorf("decode(%q): code %q, want %q", tt.body, e.Code, zhidu.CodeInvalid)
			}
			if tt.field == "" {
				if len(e.Fields) != 0 {
					t.Errorf("decode(%q): fields %v, want none", tt.body, e.Fields)
				}
				return
			}
			if msg, ok := e.Fields[tt.field]; !ok || msg == "" {
				t.Errorf("decode(%q): fields %v, want an entry for %q", tt.body, e.Fields, tt.field)
			}
		})
	}
}

func TestDecodeBodyLimit(t *testing.T) {
	const limit = 32
	tests := []struct {
		name string
		size int // length of the body
		code zhidu.Code
	}{
		{"at the limit", limit, ""},
		{"one byte over", limit + 1, zhidu.CodeTooLarge},
		{"far over", 10 * limit, zhidu.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"title":"` + strings.Repeat("x", tt.size-len(`{"title":""}`)) + `"}`
			c, w := decodeTestContext(http.MethodPost, "/", strings.NewReader(body))
			c.Request.Body = http.MaxBytesReader(w, c.Request.Body, limit)
			var got decodeTarget
			err := decode(c, &got)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("decode of %d bytes = %v", tt.size, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("decode of %d bytes = nil, want %s", tt.size, tt.code)
			}
			if e := domainError(t, err); e.Code != tt.code {
				t.Errorf("decode of %d bytes: code %q, want %q", tt.size, e.Code, tt.code)
			}
		})
	}
}

// The limitBody middleware, decode and fail together answer 413 in the
// error envelope.
func TestDecodeTooLargeThroughMiddleware(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 64
	s := New(nil, nil, nil, cfg)
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(s.limitBody)
	r.POST("/echo", func(c *gin.Context) {
		var b decodeTarget
		if err := decode(c, &b); err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, b)
	})

	for _, tt := range []struct {
		size int
		want int
	}{{20, http.StatusOK}, {64, http.StatusOK}, {65, http.StatusRequestEntityTooLarge}, {1 << 20, http.StatusRequestEntityTooLarge}} {
		body := `{"title":"` + strings.Repeat("x", tt.size-len(`{"title":""}`)) + `"}`
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/echo", strings.NewReader(body)))
		if w.Code != tt.want {
			t.Errorf("%d-byte body: status %d, want %d; body %s", tt.size, w.Code, tt.want, w.Body.String())
			continue
		}
		if tt.want == http.StatusOK {
			continue
		}
		var env struct {
			Error zhidu.Error `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatalf("%d-byte body: response is not JSON: %v", tt.size, err)
		}
		if env.Error.Code != zhidu.CodeTooLarge {
			t.Errorf("%d-byte body: error code %q, want %q", tt.size, env.Error.Code, zhidu.CodeTooLarge)
		}
	}
}

func TestNormalise(t *testing.T) {
	tests := []struct {
		name     string
		in, want any
	}{
		{"integer", json.Number("42"), float64(42)},
		{"decimal", json.Number("-1.25"), -1.25},
		{"exponent", json.Number("1e3"), float64(1000)},
		{"out of float64 range stays text", json.Number("1e400"), "1e400"},
		{"string", "42", "42"},
		{"bool", true, true},
		{"nil", nil, nil},
		{"nested", map[string]any{
			"amount": json.Number("12.5"),
			"items":  []any{json.Number("1"), "two", map[string]any{"qty": json.Number("3")}, nil},
			"ok":     false,
			"sub":    map[string]any{"deep": []any{[]any{json.Number("7")}}},
		}, map[string]any{
			"amount": 12.5,
			"items":  []any{float64(1), "two", map[string]any{"qty": float64(3)}, nil},
			"ok":     false,
			"sub":    map[string]any{"deep": []any{[]any{float64(7)}}},
		}},
		{"empty map", map[string]any{}, map[string]any{}},
		{"empty list", []any{}, []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalise(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("normalise(%#v) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// decode keeps numbers exact (UseNumber); normalise then gives the forms
// the float64 they check for.
func TestDecodeThenNormalise(t *testing.T) {
	c, _ := decodeTestContext(http.MethodPost, "/", strings.NewReader(`{"data":{"amount":9007199254740993,"n":[1,2]}}`))
	var b decodeTarget
	if err := decode(c, &b); err != nil {
		t.Fatal(err)
	}
	if got := b.Data["amount"]; got != json.Number("9007199254740993") {
		t.Errorf("decoded amount = %#v, want json.Number", got)
	}
	data, ok := normalise(b.Data).(map[string]any)
	if !ok {
		t.Fatalf("normalise(map) returned %T", normalise(b.Data))
	}
	if got, ok := data["amount"].(float64); !ok || got != 9007199254740992 {
		t.Errorf("normalised amount = %#v, want float64 9007199254740992", data["amount"])
	}
	if got := data["n"]; !reflect.DeepEqual(got, []any{float64(1), float64(2)}) {
		t.Errorf("normalised n = %#v", got)
	}
}

func TestParamsValid(t *testing.T) {
	c, _ := decodeTestContext(http.MethodGet,
		"/?q=%E5%AE%A2%E6%88%B7&scope=mine&state=open,claimed&priority=4&overdue=false&due_before=2026-11-27T09:00:00%2B08:00", nil)
	p := queryParams(c)

	if got := p.str("q", 200); got != "客户" {
		t.Errorf("str(q) = %q", got)
	}
	if got := p.oneOf("scope", "mine", "claimable"); got != "mine" {
		t.Errorf("oneOf(scope) = %q", got)
	}
	if got := p.list("state", "open", "claimed", "completed"); !reflect.DeepEqual(got, []string{"open", "claimed"}) {
		t.Errorf("list(state) = %q", got)
	}
	if got := p.integer("priority", 1, 4); got != 4 {
		t.Errorf("integer(priority) = %d", got)
	}
	if got := p.boolean("overdue"); got == nil || *got {
		t.Errorf("boolean(overdue) = %v, want false", got)
	}
	want := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	if got := p.time("due_before"); got == nil || !got.Equal(want) {
		t.Errorf("time(due_before) = %v, want %v", got, want)
	}
	// Absent parameters are zero values, not errors.
	if p.str("kind", 64) != "" || p.oneOf("sort", "a") != "" || p.list("missing", "a") != nil ||
		p.integer("limit", 1, 200) != 0 || p.boolean("flag") != nil || p.time("due_after") != nil {
		t.Error("absent parameters are not zero")
	}
	if err := p.err(); err != nil {
		t.Errorf("err() = %v, want nil", err)
	}
}

func TestParamsInvalid(t *testing.T) {
	tests := []struct {
		name  string
		query string
		read  func(p *params) any // returns what the helper returned
		field string
		zero  any
	}{
		{"bad integer", "limit=ten", func(p *params) any { return p.integer("limit", 1, 200) }, "limit", 0},
		{"fractional integer", "limit=1.5", func(p *params) any { return p.integer("limit", 1, 200) }, "limit", 0},
		{"integer below range", "priority=0", func(p *params) any { return p.integer("priority", 1, 4) }, "priority", 0},
		{"integer above range", "limit=201", func(p *params) any { return p.integer("limit", 1, 200) }, "limit", 0},
		{"bad bool", "overdue=yes", func(p *params) any { return p.boolean("overdue") }, "overdue", (*bool)(nil)},
		{"bad time", "due_before=tomorrow", func(p *params) any { return p.time("due_before") }, "due_before", (*time.Time)(nil)},
		{"date without time", "due_after=2026-11-27", func(p *params) any { return p.time("due_after") }, "due_after", (*time.Time)(nil)},
		{"bad list value", "state=open,done", func(p *params) any { return p.list("state", "open", "claimed") }, "state", []string(nil)},
		{"empty list value", "state=open,", func(p *params) any { return p.list("state", "open", "claimed") }, "state", []string(nil)},
		{"not one of", "sort=title", func(p *params) any { return p.oneOf("sort", "created_at", "-created_at") }, "sort", ""},
		{"too long", "q=" + strings.Repeat("a", 201), func(p *params) any { return p.str("q", 200) }, "q", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := decodeTestContext(http.MethodGet, "/?"+tt.query, nil)
			p := queryParams(c)
			if got := tt.read(p); !reflect.DeepEqual(got, tt.zero) {
				t.Errorf("helper returned %#v, want %#v", got, tt.zero)
			}
			err := p.err()
			if err == nil {
				t.Fatalf("?%s: err() = nil, want a field error", tt.query)
			}
			e := domainError(t, err)
			if e.Code != zhidu.CodeInvalid {
				t.Errorf("code %q, want %q", e.Code, zhidu.CodeInvalid)
			}
			if len(e.Fields) != 1 || e.Fields[tt.field] == "" {
				t.Errorf("fields %v, want exactly one entry for %q", e.Fields, tt.field)
			}
		})
	}
}

// Every bad parameter is reported at once, each under its own name.
func TestParamsCollectsEveryError(t *testing.T) {
	c, _ := decodeTestContext(http.MethodGet, "/?limit=0&priority=9&overdue=maybe&due_before=never&state=lost&sort=x", nil)
	p := queryParams(c)
	p.integer("limit", 1, 200)
	p.integer("priority", 1, 4)
	p.boolean("overdue")
	p.time("due_before")
	p.list("state", "open")
	p.oneOf("sort", "created_at")
	p.str("q", 10) // absent: fine

	e := domainError(t, p.err())
	if e.Code != zhidu.CodeInvalid {
		t.Errorf("code %q, want %q", e.Code, zhidu.CodeInvalid)
	}
	for _, f := range []string{"limit", "priority", "overdue", "due_before", "state", "sort"} {
		if e.Fields[f] == "" {
			t.Errorf("no error for %s in %v", f, e.Fields)
		}
	}
	if len(e.Fields) != 6 {
		t.Errorf("fields %v, want 6 entries", e.Fields)
	}
}

// TestNumberParams: a number parameter is a finite decimal; anything
// strconv.ParseFloat takes besides (NaN, Inf, hexadecimal, underscores) or
// cannot represent is refused by name, and so is a range's low end above
// its high end.
func TestNumberParams(t *testing.T) {
	for _, c := range []struct {
		v    string
		want float64
	}{{"2000", 2000}, {"1999.5", 1999.5}, {"-1", -1}, {"5e4", 50000}, {"0", 0}, {"007", 7}} {
		ctx, _ := decodeTestContext(http.MethodGet, "/?n="+c.v, nil)
		p := queryParams(ctx)
		if got := p.number("n"); got == nil || *got != c.want || p.err() != nil {
			t.Errorf("n=%s: %v, %v; want %v", c.v, got, p.err(), c.want)
		}
	}
	for _, v := range []string{"NaN", "nan", "Inf", "-Inf", "%2BInf", "infinity", "0x10", "1_000", "1e400", "abc", "%201", "1.", ".5", "1,5", "%2B1"} {
		ctx, _ := decodeTestContext(http.MethodGet, "/?n="+v, nil)
		p := queryParams(ctx)
		if got := p.number("n"); got != nil {
			t.Errorf("n=%s read as %v", v, *got)
		}
		if e := domainError(t, p.err()); e.FieldCodes["n"].Code != "value.number" || len(e.Fields) != 1 {
			t.Errorf("n=%s: fields %v, want n: value.number", v, e.Fields)
		}
	}
	for _, c := range []struct {
		query    string
		min, max *float64
		field    string
	}{
		{"lo=1&hi=2", ptr(1), ptr(2), ""},
		{"lo=2&hi=2", ptr(2), ptr(2), ""},
		{"lo=2", ptr(2), nil, ""},
		{"hi=2", nil, ptr(2), ""},
		{"lo=3&hi=2", nil, nil, "lo"},
		{"lo=x&hi=2", nil, ptr(2), "lo"},
		{"lo=1&hi=NaN", ptr(1), nil, "hi"},
	} {
		ctx, _ := decodeTestContext(http.MethodGet, "/?"+c.query, nil)
		p := queryParams(ctx)
		min, max := p.numberRange("lo", "hi")
		if !reflect.DeepEqual(min, c.min) || !reflect.DeepEqual(max, c.max) {
			t.Errorf("%s: %v, %v; want %v, %v", c.query, min, max, c.min, c.max)
		}
		err := p.err()
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.query, err)
			}
			continue
		}
		if f := domainError(t, err).Fields; len(f) != 1 || f[c.field] == "" {
			t.Errorf("%s: fields %v, want one for %s", c.query, f, c.field)
		}
	}
	ctx, _ := decodeTestContext(http.MethodGet, "/?amount_min=3&amount_max=2", nil)
	p := queryParams(ctx)
	p.numberRange("amount_min", "amount_max")
	if got := domainError(t, p.err()).Fields["amount_min"]; got != "must not be greater than amount_max" {
		t.Errorf("min above max: %q", got)
	}
}

func ptr(x float64) *float64 { return &x }

// An embedded struct's fields are named as the client writes them, never
// by the Go type that holds them.
func TestDecodeNamesEmbeddedFields(t *testing.T) {
	type Slip struct {
		Batch string `json:"batch"`
		Lines []struct {
			Qty int `json:"qty"`
		} `json:"lines"`
	}
	type start struct {
		Slip
		Level *zhidu.Level `json:"level"`
	}
	for body, field := range map[string]string{
		`{"batch":42}`:            "batch",
		`{"lines":[{"qty":"x"}]}`: "lines.qty",
		`{"BATCH":[1]}`:           "batch",
	} {
		c, _ := decodeTestContext(http.MethodPost, "/", strings.NewReader(body))
		var got start
		e := domainError(t, decode(c, &got))
		if _, ok := e.Fields[field]; !ok || len(e.Fields) != 1 {
			t.Errorf("decode(%s): fields %v, want %q", body, e.Fields, field)
		}
	}
}

// An unknown level is named by its own field, wherever it is.
func TestDecodeNamesTheLevelField(t *testing.T) {
	type grant struct {
		Clearance zhidu.Level `json:"clearance"`
	}
	type body struct {
		Title  string            `json:"title"`
		Level  *zhidu.Level      `json:"level"`
		Grants []grant           `json:"grants"`
		Per    map[string]*grant `json:"per"`
	}
	for in, field := range map[string]string{
		`{"title":"ultra","level":"ultra"}`:                            "level",
		`{"grants":[{"clearance":"internal"},{"clearance":"ultra"}]}`:  "grants.clearance",
		`{"title":"x","per":{"cs":{"clearance":"hush"}},"level":null}`: "per.cs.clearance",
	} {
		c, _ := decodeTestContext(http.MethodPost, "/", strings.NewReader(in))
		var got body
		e := domainError(t, decode(c, &got))
		if m, ok := e.FieldCodes[field]; !ok || m.Code != "choice.one_of" || len(e.Fields) != 1 {
			t.Errorf("decode(%s): fields %v, want a choice.one_of for %q", in, e.Fields, field)
		}
	}
}
