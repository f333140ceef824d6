package zhidu

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Message is something said to a person — an error's message, a field
// error, a decision's reason — as a stable code and its parameters, so that
// a client says it in its own language. Its English (String) is the text
// the API has always sent; the catalogue (messages.go) has one English
// template per code, and the web one Chinese template per code.
//
// Parameters are strings, integers, floats, lists of strings or nested
// messages (what JSON carries back as strings, float64s, lists and
// objects with a code).
type Message struct {
	Code   string         `json:"code"`
	Params map[string]any `json:"params,omitempty"`
}

// MsgPlain is the code of a message that has no code of its own: its one
// parameter, text, is the English as written.
const MsgPlain = "plain"

// Plain wraps an English text that has no code of its own (administration
// and infrastructure messages nobody translates).
func Plain(text string) Message { return msg(MsgPlain, "text", text) }

// msg builds a message from name, value pairs.
func msg(code string, pairs ...any) Message {
	m := Message{Code: code}
	if len(pairs) > 0 {
		m.Params = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			m.Params[pairs[i].(string)] = pairs[i+1]
		}
	}
	return m
}

// IsZero reports whether m says nothing (a check that found no problem).
func (m Message) IsZero() bool { return m.Code == "" }

// String renders the message in English, as the API sends it.
func (m Message) String() string {
	s, _ := English.Render(m)
	return s
}

// UnmarshalJSON reads a message back, nested messages (parameters that are
// objects with a code) included.
func (m *Message) UnmarshalJSON(b []byte) error {
	var raw struct {
		Code   string                     `json:"code"`
		Params map[string]json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*m = Message{Code: raw.Code}
	if len(raw.Params) > 0 {
		m.Params = make(map[string]any, len(raw.Params))
	}
	for k, v := range raw.Params {
		var nested Message
		if t := strings.TrimSpace(string(v)); strings.HasPrefix(t, "{") && json.Unmarshal(v, &nested) == nil && nested.Code != "" {
			m.Params[k] = nested
			continue
		}
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return err
		}
		m.Params[k] = x
	}
	return nil
}

// A Catalog says messages in one language: a template per code, with
// {name} for a parameter, {name:family} for a parameter labelled through a
// vocabulary family (level, state, kind, dept, role, act; msg marks a
// nested message) and {name|sep} for a list joined with sep.
type Catalog struct {
	Template func(code string) (string, bool)
	// Label names a value of a vocabulary family; nil shows values as sent.
	Label func(family, value string) string
	// ListSep joins lists whose placeholder names no separator.
	ListSep string
}

// Render says m in the catalogue's language; ok is false when the
// catalogue has no template for its code (or for a nested message's).
func (c Catalog) Render(m Message) (string, bool) {
	tmpl, ok := c.Template(m.Code)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, s := range segments(tmpl) {
		if s.name == "" {
			b.WriteString(s.literal)
			continue
		}
		v, present := m.Params[s.name]
		if !present {
			b.WriteString("{" + s.name + "}")
			continue
		}
		text, fine := c.value(v, s)
		ok = ok && fine
		b.WriteString(text)
	}
	return b.String(), ok
}

func (c Catalog) value(v any, s segment) (string, bool) {
	switch x := v.(type) {
	case Message:
		return c.Render(x)
	case string:
		if s.family != "" && s.family != "msg" && c.Label != nil {
			return c.Label(s.family, x), true
		}
		return x, true
	case []string:
		items := make([]any, len(x))
		for i, it := range x {
			items[i] = it
		}
		return c.value(items, s)
	case []any:
		sep := c.ListSep
		if s.sep != "" {
			sep = s.sep
		}
		parts := make([]string, len(x))
		ok := true
		for i, it := range x {
			var fine bool
			parts[i], fine = c.value(it, segment{name: s.name, family: s.family})
			ok = ok && fine
		}
		return strings.Join(parts, sep), ok
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			return strconv.FormatFloat(x, 'f', 0, 64), true // integers read back from JSON
		}
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case fmt.Stringer:
		return c.value(x.String(), s)
	}
	return fmt.Sprint(v), true
}

// segment is a literal run of a template or one placeholder.
type segment struct {
	literal           string
	name, family, sep string
}

var segmentCache sync.Map // template → []segment

func segments(tmpl string) []segment {
	if s, ok := segmentCache.Load(tmpl); ok {
		return s.([]segment)
	}
	var out []segment
	rest := tmpl
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		end := -1
		if open >= 0 {
			end = strings.IndexByte(rest[open:], '}')
		}
		if open < 0 || end < 0 {
			out = append(out, segment{literal: rest})
			break
		}
		if open > 0 {
			out = append(out, segment{literal: rest[:open]})
		}
		ph := rest[open+1 : open+end]
		s := segment{name: ph}
		if n, sep, ok := strings.Cut(ph, "|"); ok {
			s.name, s.sep = n, sep
		} else if n, fam, ok := strings.Cut(ph, ":"); ok {
			s.name, s.family = n, fam
		}
		out = append(out, s)
		rest = rest[open+end+1:]
	}
	segmentCache.Store(tmpl, out)
	return out
}

// English is the catalogue the API speaks: level_zh labels a level with its
// Chinese name, as some reasons say it in both languages.
var English = Catalog{
	Template: func(code string) (string, bool) {
		t, ok := english[code]
		return t, ok
	},
	Label: func(family, value string) string {
		if family == "level_zh" {
			if l, err := ParseLevel(value); err == nil {
				return l.Zh()
			}
		}
		return value
	},
	ListSep: ", ",
}

// MessageCodes lists every code of the catalogue, sorted.
func MessageCodes() []string {
	out := make([]string, 0, len(english))
	for c := range english {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// EnglishTemplate returns the English template of a code.
func EnglishTemplate(code string) (string, bool) {
	t, ok := english[code]
	return t, ok
}

// parser matches one code's English.
type parser struct {
	code    string
	re      *regexp.Regexp
	slots   []segment // the placeholders, in the order of re's groups
	literal int
}

var parsers = sync.OnceValue(func() []parser {
	var out []parser
	for code, tmpl := range english {
		if code == MsgPlain {
			continue
		}
		p := parser{code: code}
		var re strings.Builder
		re.WriteString("^")
		for _, s := range segments(tmpl) {
			if s.name == "" {
				re.WriteString(regexp.QuoteMeta(s.literal))
				p.literal += len(s.literal)
				continue
			}
			re.WriteString("(.+?)")
			p.slots = append(p.slots, s)
		}
		re.WriteString("$")
		p.re = regexp.MustCompile(re.String())
		out = append(out, p)
	}
	// The most specific template first, so that of equal matches the one
	// with more literal text wins.
	sort.Slice(out, func(i, j int) bool {
		if out[i].literal != out[j].literal {
			return out[i].literal > out[j].literal
		}
		return out[i].code < out[j].code
	})
	return out
})

// ParseMessage reads a recorded English text (an audit entry's reason, a
// note stored in a task's context) back into its message, by the
// catalogue's own templates; ok is false for a text no template says.
// Live answers carry their codes: this is for what was written down as
// text. Of the templates that match, the one whose parameters leave the
// least of the text unexplained wins ("x may not assign this task: x is
// the subject of …" is assign.may_not with a nested process.barred).
func ParseMessage(s string) (Message, bool) {
	m, _, ok := parseBest(s)
	return m, ok
}

func parseBest(s string) (best Message, cost int, ok bool) {
	for _, p := range parsers() {
		sub := p.re.FindStringSubmatch(s)
		if sub == nil {
			continue
		}
		m, c := Message{Code: p.code, Params: map[string]any{}}, 0
		for i, slot := range p.slots {
			v := sub[i+1]
			var val any = v
			n := len(v)
			switch {
			case slot.family == "msg":
				if nested, nc, ok := parseBest(v); ok {
					val, n = nested, nc
				}
			case slot.sep != "":
				val = strings.Split(v, slot.sep)
			}
			c += n
			if _, seen := m.Params[slot.name]; !seen { // {level} and {level:level_zh} name one value
				m.Params[slot.name] = val
			}
		}
		if len(m.Params) == 0 {
			m.Params = nil
		}
		if !ok || c < cost {
			best, cost, ok = m, c, true
		}
	}
	return best, cost, ok
}

// chinese holds the Chinese templates of the messages a process defines
// with its own code (DefineMessages); the web has the rest.
var chinese = map[string]string{}

// DefineMessages adds a process's own messages to the catalogue, each code
// with its English (what the API says) and its Chinese template, so that a
// process's messages stay in its own files. Call it from a package-level
// variable's initialisation (before any message is said); a code defined
// twice panics.
func DefineMessages(ms map[string]Text) struct{} {
	for code, t := range ms {
		if _, dup := english[code]; dup {
			panic("zhidu: message code " + code + " is defined twice")
		}
		english[code], chinese[code] = t.En, t.Zh
	}
	return struct{}{}
}

// DefinedChinese returns the Chinese template of a message a process
// defined (DefineMessages).
func DefinedChinese(code string) (string, bool) {
	t, ok := chinese[code]
	return t, ok
}

// Say builds a message of a code a process defined (DefineMessages) from
// name, value pairs of its parameters.
func Say(code string, pairs ...any) Message { return msg(code, pairs...) }
