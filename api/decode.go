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
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
)

// decode reads a JSON body strictly: unknown fields, trailing data,
// oversize bodies, invalid UTF-8 (a lone surrogate escape too), a key
// given twice in one object and nesting deeper than maxDepth are errors.
func decode(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return zhidu.Fail(zhidu.CodeTooLarge, zhidu.BodyTooLarge(tooBig.Limit))
		}
		return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodyUnreadable())
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) || loneSurrogate(body) {
		return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodyUTF8())
	}
	if err := scanJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badJSON(err, body, reflect.TypeOf(v))
	}
	if err := dec.Decode(new(json.RawMessage)); !errors.Is(err, io.EOF) {
		return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodyTrailing())
	}
	if field, msg := badText(reflect.ValueOf(v), "", true); !msg.IsZero() {
		return invalid(field, msg)
	}
	return nil
}

// maxDepth bounds how deep a request body's arrays and objects nest: no
// body zhidu takes goes past a few levels (a form's rows are four deep),
// and encoding/json alone would take 10000.
const maxDepth = 32

// scanJSON reads the first JSON value of body token by token and refuses
// nesting deeper than maxDepth and a key given twice in one object. Keys
// are compared as encoding/json matches them to struct fields, ignoring
// case: {"reason":"a","Reason":"b"} sets one field twice. encoding/json
// keeps the last of duplicates, where a proxy or an audit tool in front
// of zhidu may read the first: refused, the two never disagree. Syntax
// errors are left to the decoder, which says them better.
func scanJSON(body []byte) error {
	type frame struct {
		object bool
		key    bool // an object's next string is a key
		keys   map[string]bool
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var stack []frame
	var path []string
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].key = true
			path = path[:len(path)-1]
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		top := len(stack) - 1
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxDepth {
					return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodyTooDeep(maxDepth))
				}
				stack = append(stack, frame{object: t == '{', key: t == '{', keys: map[string]bool{}})
				continue
			default:
				stack = stack[:top]
				valueDone()
			}
		case string:
			if top >= 0 && stack[top].key {
				folded := strings.ToLower(strings.ToUpper(t))
				path = append(path, t)
				if stack[top].keys[folded] {
					return invalid(printable(strings.Join(path, ".")), zhidu.DuplicateKey())
				}
				stack[top].keys[folded] = true
				stack[top].key = false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
		if len(stack) == 0 {
			return nil
		}
	}
}

// loneSurrogate reports whether a string of body escapes half of a UTF-16
// surrogate pair alone ("\ud800"), which is no character: encoding/json
// would quietly read it as U+FFFD, where another reader may keep it.
func loneSurrogate(body []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+4 > len(body) {
			return 0, false
		}
		n, err := strconv.ParseUint(string(body[i:i+4]), 16, 32)
		return rune(n), err == nil
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		i++ // the escaped character: an escaped backslash is no escape
		if i >= len(body) || body[i] != 'u' {
			continue
		}
		r, ok := hex4(i + 1)
		if !ok {
			continue
		}
		i += 4
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return true
		case r >= 0xd800 && r <= 0xdbff:
			if i+2 < len(body) && body[i+1] == '\\' && body[i+2] == 'u' {
				if lo, ok := hex4(i + 3); ok && lo >= 0xdc00 && lo <= 0xdfff {
					i += 6
					continue
				}
			}
			return true
		}
	}
	return false
}

// printable is s as an error may name it: at most 100 characters, each
// one CheckText takes in one line ('?' for the others).
func printable(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 100 {
			b.WriteString("…")
			break
		}
		if !zhidu.CheckText(string(r), false).IsZero() {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// badText finds the first string in v that zhidu.CheckText refuses and
// returns its JSON path and what is wrong. Strings are long text (tabs and
// line breaks allowed) unless their struct field is tagged text:"line";
// map keys are always one line.
func badText(v reflect.Value, path string, long bool) (string, zhidu.Message) {
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
		if msg := zhidu.CheckText(v.String(), long); !msg.IsZero() {
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
			if p, msg := badText(v.Field(i), fieldPath, f.Tag.Get("text") != "line"); !msg.IsZero() {
				return p, msg
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			if msg := zhidu.CheckText(k, false); !msg.IsZero() {
				return join(printable(k)), zhidu.KeyText(msg)
			}
			if p, msg := badText(it.Value(), join(k), long); !msg.IsZero() {
				return p, msg
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, msg := badText(v.Index(i), path, long); !msg.IsZero() {
				return p, msg
			}
		}
	}
	return "", zhidu.Message{}
}

// refuseControl answers 400 for a path or query parameter or an
// Idempotency-Key that zhidu.CheckText refuses as one line, before any
// handler sees it: a NUL in an ID once reached PostgreSQL as a 500.
func refuseControl(c *gin.Context) {
	for _, p := range c.Params {
		if msg := zhidu.CheckText(p.Value, false); !msg.IsZero() {
			fail(c, invalid(p.Key, msg))
			return
		}
	}
	for name, vs := range c.Request.URL.Query() {
		for _, v := range vs {
			msg := zhidu.CheckText(name, false)
			if msg.IsZero() {
				msg = zhidu.CheckText(v, false)
			}
			if !msg.IsZero() {
				fail(c, invalid(printable(name), msg))
				return
			}
		}
	}
	if msg := zhidu.CheckText(c.GetHeader("Idempotency-Key"), false); !msg.IsZero() {
		fail(c, invalid("Idempotency-Key", msg))
	}
}

func badJSON(err error, body []byte, target reflect.Type) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodyNotObject())
		}
		return invalid(printable(jsonPath(target, typeErr.Field)), jsonKind(typeErr.Type))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f := strings.Trim(field, `"`)
		return invalid(f, zhidu.UnknownField())
	}
	if strings.Contains(err.Error(), "unknown level") {
		// zhidu.Level's own error names no field: find it.
		var names []string
		for _, l := range zhidu.Levels() {
			names = append(names, l.String())
		}
		return invalid(printable(levelField(body, target)), zhidu.OneOf(names))
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodySyntax(syntaxErr.Offset))
	}
	return zhidu.Fail(zhidu.CodeInvalid, zhidu.BodyInvalid())
}

// levelField is the path of the first value in body that is no level
// where target has a level ("level" if none is found): the field whose
// zhidu.Level refused to read it.
func levelField(body []byte, target reflect.Type) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object, key bool
		t           reflect.Type
		name        string
	}
	stack := []frame{{t: target}}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "level"
		}
		if tok == json.Delim('}') || tok == json.Delim(']') {
			stack = stack[:len(stack)-1]
			if len(stack) == 1 {
				return "level"
			}
			continue
		}
		top := &stack[len(stack)-1]
		if name, ok := tok.(string); ok && top.object && top.key {
			top.name, top.key = name, false
			continue
		}
		t := top.t
		if top.object {
			t = fieldType(top.t, top.name)
			top.key = true
		} else if t != nil {
			t = elem(t)
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				t = t.Elem()
			}
		}
		switch tok := tok.(type) {
		case json.Delim: // an opening one
			stack = append(stack, frame{object: tok == '{', key: tok == '{', t: t})
		case string:
			if t != nil && elem(t) == reflect.TypeFor[zhidu.Level]() {
				if _, err := zhidu.ParseLevel(tok); err != nil {
					var path []string
					for _, f := range stack {
						if f.object {
							path = append(path, f.name)
						}
					}
					return jsonPath(target, strings.Join(path, "."))
				}
			}
		}
	}
}

// elem is t without pointers.
func elem(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldType is the type of the field of struct (or map) t that the JSON
// key name sets, embedded structs' fields included; nil if none.
func fieldType(t reflect.Type, name string) reflect.Type {
	t = elem(t)
	switch {
	case t == nil:
		return nil
	case t.Kind() == reflect.Map:
		return t.Elem()
	case t.Kind() != reflect.Struct:
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" {
			if ft := fieldType(f.Type, name); ft != nil {
				return ft
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag != "-" && strings.EqualFold(tag, name) {
			return f.Type
		}
	}
	return nil
}

// jsonPath is the path of a field as the client wrote it, from the path
// encoding/json reports, which names an embedded struct by its Go type
// ("Requisition.kind" for a purchase's kind): a Go type name is nothing
// the client sent, and an error must not echo it.
func jsonPath(t reflect.Type, field string) string {
	var out []string
	for _, seg := range strings.Split(field, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out, t = append(out, seg), nil
			continue
		}
		var next reflect.Type
		embedded := false
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" && f.Type.Name() == seg || f.Anonymous && name == "" && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Name() == seg {
				next, embedded = f.Type, true
				break
			}
			if name == "" {
				name = f.Name
			}
			if strings.EqualFold(name, seg) && next == nil {
				next = f.Type
			}
		}
		if !embedded {
			out = append(out, seg)
		}
		t = next
	}
	return strings.Join(out, ".")
}

// jsonKind says what a value of a Go type must be, the way a JSON client
// thinks of it.
func jsonKind(t reflect.Type) zhidu.Message {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return zhidu.NotString()
	}
	switch t.Kind() {
	case reflect.String:
		return zhidu.NotString()
	case reflect.Bool:
		return zhidu.NotBoolean()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return zhidu.NotNumber()
	case reflect.Slice, reflect.Array:
		return zhidu.NotList()
	}
	return zhidu.NotObject()
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
	get  func(name string) string
	errs map[string]zhidu.Message
}

func queryParams(c *gin.Context) *params {
	return &params{get: c.Query, errs: map[string]zhidu.Message{}}
}

// mapParams reads parameters from m (a saved view's filters) as
// queryParams reads them from the query string.
func mapParams(m map[string]string) *params {
	return &params{get: func(name string) string { return m[name] }, errs: map[string]zhidu.Message{}}
}

func (p *params) str(name string, max int) string {
	v := p.get(name)
	if utf8.RuneCountInString(v) > max {
		p.errs[name] = zhidu.MaxChars(max)
		return ""
	}
	return v
}

func (p *params) oneOf(name string, allowed ...string) string {
	v := p.get(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.errs[name] = zhidu.OneOf(allowed)
	return ""
}

func (p *params) list(name string, allowed ...string) []string {
	v := p.get(name)
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
			p.errs[name] = zhidu.ListOf(allowed)
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *params) integer(name string, min, max int) int {
	v := p.get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		p.errs[name] = zhidu.IntRange(min, max)
		return 0
	}
	return n
}

func (p *params) boolean(name string) *bool {
	v := p.get(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.errs[name] = zhidu.NotBoolean()
		return nil
	}
	return &b
}

func (p *params) time(name string) *time.Time {
	v := p.get(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p.errs[name] = zhidu.NotTime()
		return nil
	}
	return &t
}

// decimal is a number as a query parameter writes it: digits, an optional
// fraction and exponent — no NaN, Inf, hexadecimal or underscores, which
// strconv.ParseFloat would take.
var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// number reads a finite decimal number; nil if the parameter is empty.
func (p *params) number(name string) *float64 {
	v := p.get(name)
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || !decimal.MatchString(v) {
		p.errs[name] = zhidu.NotNumber()
		return nil
	}
	return &x
}

// numberRange reads the two ends of a number range, each a number or
// empty; a low end above the high one is an error of the low end's.
func (p *params) numberRange(lo, hi string) (min, max *float64) {
	min, max = p.number(lo), p.number(hi)
	if min != nil && max != nil && *min > *max {
		p.errs[lo] = zhidu.NumberAbove(hi)
		return nil, nil
	}
	return min, max
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return zhidu.Invalid(zhidu.BadQuery(), p.errs)
}
