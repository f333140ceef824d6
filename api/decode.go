package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
)

// decode reads a JSON body strictly: unknown fields, trailing data and
// oversize bodies are errors.
func decode(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return zhidu.Errorf(zhidu.CodeTooLarge, "request body is larger than %d bytes", tooBig.Limit)
		}
		return zhidu.Errorf(zhidu.CodeInvalid, "cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return zhidu.Errorf(zhidu.CodeInvalid, "request body has data after the JSON value")
	}
	if field, msg := badText(reflect.ValueOf(v), "", true); msg != "" {
		return invalid(field, msg)
	}
	return nil
}

// badText finds the first string in v that zhidu.CheckText refuses and
// returns its JSON path and what is wrong. Strings are long text (tabs and
// line breaks allowed) unless their struct field is tagged text:"line";
// map keys are always one line.
func badText(v reflect.Value, path string, long bool) (string, string) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return badText(v.Elem(), path, long)
		}
	case reflect.String:
		if msg := zhidu.CheckText(v.String(), long); msg != "" {
			return path, msg
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			fieldPath := path
			if !f.Anonymous {
				if name == "" {
					name = f.Name
				}
				fieldPath = join(name)
			}
			if p, msg := badText(v.Field(i), fieldPath, f.Tag.Get("text") != "line"); msg != "" {
				return p, msg
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			if msg := zhidu.CheckText(k, false); msg != "" {
				return join(strings.ToValidUTF8(k, "?")), "has a key that " + msg
			}
			if p, msg := badText(it.Value(), join(k), long); msg != "" {
				return p, msg
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, msg := badText(v.Index(i), path, long); msg != "" {
				return p, msg
			}
		}
	}
	return "", ""
}

// refuseControl answers 400 for a path or query parameter or an
// Idempotency-Key that zhidu.CheckText refuses as one line, before any
// handler sees it: a NUL in an ID once reached PostgreSQL as a 500.
func refuseControl(c *gin.Context) {
	for _, p := range c.Params {
		if msg := zhidu.CheckText(p.Value, false); msg != "" {
			fail(c, invalid(p.Key, msg))
			return
		}
	}
	for name, vs := range c.Request.URL.Query() {
		for _, v := range vs {
			if msg := zhidu.CheckText(name, false) + zhidu.CheckText(v, false); msg != "" {
				fail(c, invalid(strings.ToValidUTF8(name, "?"), msg))
				return
			}
		}
	}
	if msg := zhidu.CheckText(c.GetHeader("Idempotency-Key"), false); msg != "" {
		fail(c, invalid("Idempotency-Key", msg))
	}
}

func badJSON(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return zhidu.Errorf(zhidu.CodeInvalid, "request body must be a JSON object")
		}
		return invalid(typeErr.Field, "must be "+jsonKind(typeErr.Type))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f := strings.Trim(field, `"`)
		return invalid(f, "is not a known field")
	}
	if strings.Contains(err.Error(), "unknown level") {
		return invalid("level", err.Error())
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return zhidu.Errorf(zhidu.CodeInvalid, "request body is not valid JSON (at byte %d)", syntaxErr.Offset)
	}
	return zhidu.Errorf(zhidu.CodeInvalid, "request body is not valid JSON")
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

// normalise turns json.Number values (from UseNumber) into float64, the
// type the forms and Temporal's JSON converter agree on.
func normalise(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
	}
	return v
}

// params reads typed query parameters, collecting errors per field.
type params struct {
	c    *gin.Context
	errs map[string]string
}

func queryParams(c *gin.Context) *params { return &params{c: c, errs: map[string]string{}} }

func (p *params) str(name string, max int) string {
	v := p.c.Query(name)
	if utf8.RuneCountInString(v) > max {
		p.errs[name] = fmt.Sprintf("must be at most %d characters", max)
		return ""
	}
	return v
}

func (p *params) oneOf(name string, allowed ...string) string {
	v := p.c.Query(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.errs[name] = fmt.Sprintf("must be one of %s", strings.Join(allowed, ", "))
	return ""
}

func (p *params) list(name string, allowed ...string) []string {
	v := p.c.Query(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		ok := false
		for _, a := range allowed {
			ok = ok || s == a
		}
		if !ok {
			p.errs[name] = fmt.Sprintf("must be a comma-separated list of %s", strings.Join(allowed, ", "))
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *params) integer(name string, min, max int) int {
	v := p.c.Query(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		p.errs[name] = fmt.Sprintf("must be an integer from %d to %d", min, max)
		return 0
	}
	return n
}

func (p *params) boolean(name string) *bool {
	v := p.c.Query(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.errs[name] = "must be true or false"
		return nil
	}
	return &b
}

func (p *params) time(name string) *time.Time {
	v := p.c.Query(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p.errs[name] = "must be an RFC 3339 time, e.g. 2026-11-27T09:00:00Z"
		return nil
	}
	return &t
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return zhidu.Invalid("invalid query parameters", p.errs)
}
