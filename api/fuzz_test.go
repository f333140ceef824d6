package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The fuzz targets of the request decoders. Their seed corpora are in
// testdata/fuzz/FuzzX/ and run as unit tests with every go test; deploy/
// test.sh fuzzes each for a few seconds.

// fuzzBody has a field of every kind the request bodies use: one-line and
// long text, numbers, a level, a list, a free map (a task's data), rows.
type fuzzBody struct {
	Title   string         `json:"title" text:"line"`
	Details string         `json:"details"`
	Count   int            `json:"count"`
	Amount  float64        `json:"amount"`
	Urgent  *bool          `json:"urgent"`
	Level   *zhidu.Level   `json:"level"`
	Tags    []string       `json:"tags" text:"line"`
	Data    map[string]any `json:"data"`
	Rows    []struct {
		Item string  `json:"item" text:"line"`
		Qty  float64 `json:"qty"`
	} `json:"rows"`
}

// leaks are what an error must not say unless the caller wrote it: Go
// type and package names, decoder internals, stack traces, file paths,
// SQL.
var leaks = []string{"json:", "*json", "encoding/json", "reflect", "main.", "goroutine", ".go:", "runtime.", "github.com/", "/home/", "/usr/", "pgx", "sqlstate", "select ", "insert ", "panic"}

// checkRefusal fails unless err is a *zhidu.Error answered with a 4xx
// whose text says nothing of the internals (input, what the caller sent,
// may be echoed).
func checkRefusal(t *testing.T, err error, input []byte) {
	t.Helper()
	var e *zhidu.Error
	if !errors.As(err, &e) {
		t.Fatalf("refusal %v (%T) is not a *zhidu.Error", err, err)
	}
	if status := statusOf[e.Code]; status < 400 || status > 499 {
		t.Fatalf("refusal %v answers %d, want a 4xx", e, status)
	}
	out, merr := json.Marshal(e)
	if merr != nil {
		t.Fatalf("refusal %v does not marshal: %v", e, merr)
	}
	said, in := strings.ToLower(string(out)), strings.ToLower(string(input))
	for _, l := range leaks {
		if strings.Contains(said, l) && !strings.Contains(in, l) {
			t.Fatalf("refusal %s says %q", out, l)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `{"title":"报销","count":3,"amount":1.5,"urgent":true,"level":"secret","tags":["a"],"data":{"n":1,"s":"x","l":[1,{"k":null}]},"rows":[{"item":"螺丝","qty":2}]}`,
		`{"title":"a","title":"b"}`, `{"title":"a","TITLE":"b"}`, `{"data":{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`,
		"{\"title\":\"a\xffb\"}", `{"title":"a\u202eb"}`, `{"title":"a\u200bb"}`, `{"details":"line\nbreak\ttab"}`, `{"title":"line\nbreak"}`,
		`{"count":"3"}`, `{"count":1e400}`, `{"amount":-0}`, `{"level":"ultra"}`, `{"assignee":"gm"}`, `{"title":"'; DROP TABLE tasks; --"}`,
		`{"details":"{{.Token}} ${jndi:ldap://x/a}"}`, `{"title":"\u0000"}`, `{"data":{"\u0000":1}}`, `[]`, `{} {}`, `{"title":`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, w := decodeTestContext(http.MethodPost, "/", bytes.NewReader(body))
		c.Request.Body = http.MaxBytesReader(w, c.Request.Body, 1<<16)
		var got fuzzBody
		err := decode(c, &got)
		if err != nil {
			checkRefusal(t, err, body)
			return
		}
		// What decode accepts is valid UTF-8 without a key twice, all of
		// its text is text CheckText takes, and it reads back the same
		// written out again.
		if !utf8.Valid(body) {
			t.Fatalf("decode accepted invalid UTF-8 %q", body)
		}
		if field, msg := badText(reflect.ValueOf(&got), "", true); !msg.IsZero() {
			t.Fatalf("decode accepted %q with bad text at %s: %v", body, field, msg)
		}
		if strings.ContainsAny(got.Title, "\n\r\t") || slices.ContainsFunc(got.Tags, func(s string) bool { return strings.ContainsAny(s, "\n\r\t") }) {
			t.Fatalf("decode accepted a line break in one-line text: %q", body)
		}
		again, merr := json.Marshal(got)
		if merr != nil {
			t.Fatalf("accepted %q does not marshal: %v", body, merr)
		}
		c2, _ := decodeTestContext(http.MethodPost, "/", bytes.NewReader(again))
		var back fuzzBody
		if err := decode(c2, &back); err != nil {
			t.Fatalf("accepted %q, written out as %s, is refused: %v", body, again, err)
		}
		if !reflect.DeepEqual(got, back) {
			t.Fatalf("%q read back as %+v, want %+v", body, back, got)
		}
	})
}

// bodies makes a fresh value of every body the API decodes: each route's
// body type and each process kind's start body.
func bodies() []func() any {
	out := []func() any{
		func() any { return new(userBody) }, func() any { return new(userPatch) }, func() any { return new(rolesBody) },
		func() any { return new(passwordBody) }, func() any { return new(store.PolicyLine) }, func() any { return new(designationBody) },
		func() any { return new(confirmBody) }, func() any { return new(problemBody) }, func() any { return new(contestBody) },
		func() any { return new(customerBody) }, func() any { return new(customerPatchBody) }, func() any { return new(contactBody) },
		func() any { return new(blacklistBody) }, func() any { return new(grantEndBody) }, func() any { return new(matrixBody) },
		func() any { return new(orderBody) }, func() any { return new(orderChangeBody) }, func() any { return new(saleBody) },
		func() any { return new(leaveBody) }, func() any { return new(mentorBody) }, func() any { return new(cancelBody) },
		func() any { return new(levelBody) }, func() any { return new(supplierBody) }, func() any { return new(supplierPatchBody) },
		func() any { return new(conflictBody) }, func() any { return new(projectBody) }, func() any { return new(completeBody) },
		func() any { return new(assignBody) }, func() any { return new(commentBody) },
	}
	for _, d := range workflows.Descriptors() {
		if d.Body != nil {
			out = append(out, d.Body)
		}
	}
	return out
}

// FuzzBodies decodes the body into every body the API takes: no panic,
// every refusal a 4xx in the error shape, and what is accepted holds only
// text CheckText takes.
func FuzzBodies(f *testing.F) {
	for _, seed := range []string{`{}`, `{"title":"x","reason":"y","lines":[{"item":"a","quantity":1}],"roles":[{"role":"staff","department":"cs"}]}`,
		`{"name":"a\u202eb"}`, `{"user":"gm","user":"cs.head"}`, `{"items":[{"name":1}]}`, `{"level":"top_secret","clearance":"ultra"}`,
		`{"complainant":{"name":"x"},"channel":"phone"}`, `{"data":{"a":{"b":[1,2,{"c":null}]}}}`} {
		f.Add([]byte(seed))
	}
	makers := bodies()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, make := range makers {
			v := make()
			c, _ := decodeTestContext(http.MethodPost, "/", bytes.NewReader(body))
			if err := decode(c, v); err != nil {
				checkRefusal(t, err, body)
				continue
			}
			if field, msg := badText(reflect.ValueOf(v), "", true); !msg.IsZero() {
				t.Fatalf("decode into %T accepted %q with bad text at %s: %v", v, body, field, msg)
			}
		}
	})
}

// queryContext is a Gin context for a GET with the raw query (as a client
// may send it: url.ParseQuery drops what it cannot read).
func queryContext(raw string) (*gin.Context, *httptest.ResponseRecorder) {
	c, w := decodeTestContext(http.MethodGet, "/", nil)
	c.Request.URL.RawQuery = raw
	return c, w
}

func FuzzQueryParams(f *testing.F) {
	for _, seed := range []string{
		"", "s=abc&o=a&l=x,y&i=7&b=true&t=2026-11-27T09:00:00Z&n=1.5&lo=1&hi=2", "s=" + strings.Repeat("长", 11), "o=c", "l=x,,y", "l=x,z",
		"i=0", "i=101", "i=-1", "i=99999999999999999999", "i=0x10", "b=maybe", "b=1", "t=tomorrow", "t=2026-13-01T00:00:00Z",
		"n=NaN", "n=Inf", "n=0x1p-2", "n=1_000", "n=1e400", "lo=3&hi=2", "s=%00", "s=%e2%80%ae", "s=a%e2%80%8bb", "s=%ff", "%zz=1", "s=a&s=b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, _ := queryContext(raw)
		p := queryParams(c)
		s := p.str("s", 10)
		o := p.oneOf("o", "a", "b")
		l := p.list("l", "x", "y")
		i := p.integer("i", 1, 100)
		b := p.boolean("b")
		tm := p.time("t")
		n := p.number("n")
		lo, hi := p.numberRange("lo", "hi")
		if utf8.RuneCountInString(s) > 10 || p.errs["s"].IsZero() && s != c.Query("s") {
			t.Fatalf("str = %q from %q", s, raw)
		}
		if o != "" && o != "a" && o != "b" {
			t.Fatalf("oneOf = %q", o)
		}
		for _, it := range l {
			if it != "x" && it != "y" {
				t.Fatalf("list = %q", l)
			}
		}
		if i != 0 && (i < 1 || i > 100) {
			t.Fatalf("integer = %d", i)
		}
		if b != nil && !p.errs["b"].IsZero() {
			t.Fatalf("boolean = %v with an error", *b)
		}
		if tm != nil {
			back, err := time.Parse(time.RFC3339, tm.Format(time.RFC3339Nano))
			if err != nil || !back.Equal(*tm) {
				t.Fatalf("time %v from %q does not round-trip: %v", tm, raw, err)
			}
		}
		for _, x := range []*float64{n, lo, hi} {
			if x != nil && (math.IsNaN(*x) || math.IsInf(*x, 0)) {
				t.Fatalf("number %v from %q", *x, raw)
			}
		}
		if lo != nil && hi != nil && *lo > *hi {
			t.Fatalf("numberRange %v > %v", *lo, *hi)
		}
		err := p.err()
		if (err == nil) != (len(p.errs) == 0) {
			t.Fatalf("err() = %v with errors %v", err, p.errs)
		}
		if err != nil {
			checkRefusal(t, err, []byte(raw))
			var e *zhidu.Error
			errors.As(err, &e)
			for name := range e.Fields {
				if !slices.Contains([]string{"s", "o", "l", "i", "b", "t", "n", "lo", "hi"}, name) {
					t.Fatalf("error names %q, no parameter read", name)
				}
			}
		}

		// The middleware before every handler refuses a query parameter
		// CheckText refuses, in the error shape.
		c, w := queryContext(raw)
		refuseControl(c)
		if !c.IsAborted() {
			for name, vs := range c.Request.URL.Query() {
				for _, v := range append(vs, name) {
					if msg := zhidu.CheckText(v, false); !msg.IsZero() {
						t.Fatalf("refuseControl let %q through", v)
					}
				}
			}
			return
		}
		var env errorBody
		if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &env) != nil || env.Error == nil || env.Error.Code != zhidu.CodeInvalid {
			t.Fatalf("refuseControl answered %d %s", w.Code, w.Body)
		}
	})
}

// FuzzRegisterFilter reads the query as every register's filters: what it
// keeps is within each filter's declaration, and every error names a
// parameter the register reads.
func FuzzRegisterFilter(f *testing.F) {
	var regs []*zhidu.Register
	for _, d := range workflows.Descriptors() {
		if d.Register == nil {
			continue
		}
		regs = append(regs, d.Register)
		q := []string{}
		for _, col := range d.Register.Columns {
			if col.Filter == nil {
				continue
			}
			for _, p := range col.Filter.Parameters(col) {
				v := "x"
				switch col.Filter.Kind {
				case zhidu.FilterChoice, zhidu.FilterAnyOf:
					if len(col.Filter.Choices) > 0 {
						v = col.Filter.Choices[0]
					}
				case zhidu.FilterRange:
					v = "2026-11-27T09:00:00Z"
				case zhidu.FilterBool:
					v = "true"
				case zhidu.FilterNumber, zhidu.FilterNumberRange:
					v = "12.5"
				}
				q = append(q, p+"="+v)
			}
		}
		f.Add(strings.Join(q, "&"))
	}
	f.Add("state=%e2%80%ae&amount_min=5&amount_max=1")
	f.Fuzz(func(t *testing.T, raw string) {
		for _, reg := range regs {
			c, _ := queryContext(raw)
			p := queryParams(c)
			got := registerFilter(p, reg)
			var names []string
			for _, col := range reg.Columns {
				if col.Filter == nil {
					continue
				}
				names = append(names, col.Filter.Parameters(col)...)
				fl := col.Filter
				if v, ok := got.Equal[col.Name]; ok {
					if fl.Kind == zhidu.FilterChoice && !slices.Contains(fl.Choices, v) || fl.Kind == zhidu.FilterExact && utf8.RuneCountInString(v) > fl.MaxLength {
						t.Fatalf("%s = %q from %q", col.Name, v, raw)
					}
				}
				for _, v := range got.AnyOf[col.Name] {
					if !slices.Contains(fl.Choices, v) {
						t.Fatalf("%s has %q from %q", col.Name, v, raw)
					}
				}
				lo, okLo := got.Min[col.Name]
				hi, okHi := got.Max[col.Name]
				if okLo && okHi && lo > hi {
					t.Fatalf("%s: min %v > max %v", col.Name, lo, hi)
				}
			}
			if err := p.err(); err != nil {
				checkRefusal(t, err, []byte(raw))
				var e *zhidu.Error
				errors.As(err, &e)
				for name := range e.Fields {
					if !slices.Contains(names, name) {
						t.Fatalf("error names %q, not a parameter of the register", name)
					}
				}
			}
		}
	})
}
