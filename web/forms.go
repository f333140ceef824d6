package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// fieldPrefix namespaces form fields in posted forms, so a field called
// "csrf" or "outcome" can never collide with the page's own inputs.
const fieldPrefix = "f."

// fieldView is one input of a rendered form.
type fieldView struct {
	Name        string // the posted name
	ID          string
	Label       string
	Type        zhidu.FieldType
	Required    bool
	RequiredFor string // outcomes that make it required, labelled
	Multiline   bool
	MaxLength   int
	Value       string // what was entered (list: one item per line)
	Checked     bool
	Choices     []choiceView
	Error       string // the API's message for this field, translated
	ErrorRaw    string // the API's message as sent
	Disabled    bool
}

type choiceView struct {
	Value, Label string
	Selected     bool
}

// formView is a rendered form: its fields, the outcome buttons and any
// message not tied to one field.
type formView struct {
	Fields   []fieldView
	Outcomes []choiceView
	Error    string
}

// buildForm renders a form definition with the entered values and the
// API's field errors (keyed as the API names them: prefix+field name).
func buildForm(lang string, f zhidu.Form, values map[string]any, errs map[string]zhidu.Message, errPrefix string, disabled bool) formView {
	var v formView
	for _, fd := range f.Fields {
		fv := fieldView{Name: fieldPrefix + fd.Name, ID: "f-" + strings.ReplaceAll(fd.Name, ".", "-"), Type: fd.Type,
			Label: fieldLabel(lang, fd), Required: fd.Required, MaxLength: fd.MaxLength, Disabled: disabled}
		if len(fd.RequiredFor) > 0 {
			parts := make([]string, len(fd.RequiredFor))
			for i, o := range fd.RequiredFor {
				parts[i] = label(lang, "outcome", o)
			}
			fv.RequiredFor = strings.Join(parts, lang2sep(lang))
		}
		fv.Multiline = fd.Type == zhidu.FieldText && (fd.MaxLength == 0 || fd.MaxLength > 300)
		val, present := values[fd.Name]
		switch fd.Type {
		case zhidu.FieldBoolean:
			fv.Checked, _ = val.(bool)
		case zhidu.FieldList:
			if items, ok := val.([]any); ok {
				lines := make([]string, 0, len(items))
				for _, it := range items {
					lines = append(lines, fmt.Sprint(it))
				}
				fv.Value = strings.Join(lines, "\n")
			}
		default:
			if present && val != nil {
				switch x := val.(type) {
				case float64:
					fv.Value = strconv.FormatFloat(x, 'f', -1, 64)
				default:
					fv.Value = fmt.Sprint(x)
				}
			}
		}
		if fd.Type == zhidu.FieldChoice {
			fv.Choices = append(fv.Choices, choiceView{Value: "", Label: translate(lang, "form.choose"), Selected: fv.Value == ""})
			for _, ch := range fd.Choices {
				fv.Choices = append(fv.Choices, choiceView{Value: ch, Label: choiceLabel(lang, fd.Name, ch), Selected: fv.Value == ch})
			}
		}
		if msg, ok := errs[errPrefix+fd.Name]; ok {
			fv.Error, fv.ErrorRaw = translateMessage(lang, msg), msg.String()
		}
		v.Fields = append(v.Fields, fv)
	}
	for _, o := range f.Outcomes {
		v.Outcomes = append(v.Outcomes, choiceView{Value: o, Label: label(lang, "outcome", o)})
	}
	return v
}

// fieldLabel is a field's label in the language; start forms carry both.
func fieldLabel(lang string, fd zhidu.Field) string {
	if lang == "en" {
		return fd.Label.En
	}
	return fd.Label.Zh
}

// choiceLabel labels a choice: departments and levels by their names,
// other values from the catalogue's vocabulary.
func choiceLabel(lang, field, value string) string {
	switch {
	case strings.HasSuffix(field, "department"):
		return label(lang, "dept", value)
	case field == "level":
		return label(lang, "level", value)
	}
	return label(lang, "value", value)
}

// parseForm turns posted values into the JSON data the API expects:
// numbers that parse become numbers (others are sent as typed, so the API
// says what is wrong), checkboxes become booleans, lists one item per
// line; empty inputs are left out, so "required" is the API's to say.
func parseForm(f zhidu.Form, posted url.Values) map[string]any {
	data := map[string]any{}
	for _, fd := range f.Fields {
		raw := strings.TrimSpace(posted.Get(fieldPrefix + fd.Name))
		switch fd.Type {
		case zhidu.FieldBoolean:
			data[fd.Name] = raw != ""
		case zhidu.FieldNumber:
			if raw == "" {
				continue
			}
			if n, err := strconv.ParseFloat(raw, 64); err == nil {
				data[fd.Name] = n
			} else {
				data[fd.Name] = raw
			}
		case zhidu.FieldList:
			var items []any
			for _, line := range strings.Split(raw, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					items = append(items, line)
				}
			}
			if len(items) > 0 {
				data[fd.Name] = items
			}
		default:
			if raw != "" {
				data[fd.Name] = strings.ReplaceAll(raw, "\r\n", "\n")
			}
		}
	}
	return data
}

// nest turns dotted field names ("complainant.name") into the nested
// objects a start body has.
func nest(flat map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range flat {
		m := out
		parts := strings.Split(k, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

// startKind is a process kind a user may try to start from the web.
type startKind struct {
	Kind string
	Form zhidu.Form
}

// startKinds are the process descriptors' start forms: the start bodies of
// POST /api/v1/processes/{kind}, which the API validates.
func startKinds() []startKind {
	var out []startKind
	for _, d := range workflows.Descriptors() {
		if !d.Internal {
			out = append(out, startKind{Kind: d.Kind, Form: d.StartForm})
		}
	}
	return out
}

// kindNames lists every process kind, for the kind filters.
func kindNames() []string {
	var out []string
	for _, d := range workflows.Descriptors() {
		out = append(out, d.Kind)
	}
	return out
}

// startFormOf is a kind's start form (none for an unknown kind).
func startFormOf(kind string) zhidu.Form {
	d, _ := workflows.Lookup(kind)
	return d.StartForm
}

func findStartKind(kind string) (startKind, bool) {
	d, ok := workflows.Lookup(kind)
	if !ok || d.Internal {
		return startKind{}, false
	}
	return startKind{Kind: d.Kind, Form: d.StartForm}, true
}
