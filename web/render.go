package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
)

// page is what every template gets: the layout's fields, filled by
// render, and the page's own Data.
type page struct {
	Title     string
	Nav       string // the active navigation item
	CSRF      string
	Flash     string
	Error     string
	Watermark string // set on top-secret pages: the viewer, repeated across the page
	Data      any

	Lang       string
	HTMLLang   string
	LangURL    string // switches to the other language and back here
	Me         *me
	MeName     string
	Compliance bool
	MatrixNav  string // where the approval matrix's nav entry leads; "": none
	// ProbationNav links the user's own probation page: they are on
	// probation.
	ProbationNav bool
	// CustomersNav links the customer files: the user holds a business
	// role (the API answers which files they may read).
	CustomersNav bool
	Year         int
}

// pageNames are the templates in assets/pages; each is parsed with the
// layout and the shared partials (partials.html; purchase.html: a
// requisition's cards; probation.html: a probation's).
var pageNames = []string{"signin", "inbox", "task", "start_index", "start", "processes", "process", "register",
	"explain", "who_can", "audit", "verify", "error", "credential",
	"matrix", "matrix_route", "my_probation", "grants", "customers", "customer", "blacklist", "customer_report"}

// mustParsePages parses every page once per language, with that
// language's functions, so rendering never clones a template.
func mustParsePages(loc *time.Location) map[string]map[string]*template.Template {
	out := map[string]map[string]*template.Template{}
	for lang := range catalog {
		out[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t := template.New(name).Funcs(funcs(lang, loc))
			t = template.Must(t.ParseFS(assets, "assets/templates/layout.html", "assets/templates/partials.html",
				"assets/templates/purchase.html", "assets/templates/probation.html", "assets/templates/"+name+".html"))
			out[lang][name] = t
		}
	}
	return out
}

// templateSources returns every template's source, for the i18n test.
func templateSources() (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(assets, "assets/templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(path)
		out[path] = string(b)
		return err
	})
	return out, err
}

func funcs(lang string, loc *time.Location) template.FuncMap {
	tr := func(key string, args ...any) string { return translate(lang, key, args...) }
	when := func(v any) string {
		var t time.Time
		switch x := v.(type) {
		case time.Time:
			t = x
		case *time.Time:
			if x == nil {
				return "—"
			}
			t = *x
		default:
			return "—"
		}
		if t.IsZero() {
			return "—"
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	return template.FuncMap{
		"t":    tr,
		"when": when,
		// dateinput is a date input's type: on Chinese pages a text
		// input taking YYYY-MM-DD (Chromium shows <input type=date> in
		// the browser's locale, mm/dd/yyyy, whatever the page's
		// language); the value sent is the same either way.
		"dateinput": func() template.HTMLAttr {
			if lang == "en" {
				return `type="date"`
			}
			return `type="text" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" placeholder="YYYY-MM-DD" maxlength="10"`
		},
		"level": func(l zhidu.Level) string { return tr("level." + l.String()) },
		"text": func(x zhidu.Text) string {
			if lang == "en" || x.Zh == "" {
				return x.En
			}
			return x.Zh
		},
		// v labels a value of a known vocabulary (steps, outcomes,
		// states, departments, choice values), falling back to the value.
		"v":      func(kind, value string) string { return label(lang, kind, value) },
		"msg":    func(m zhidu.Message) string { return translateMessage(lang, m) },
		"reason": func(m zhidu.Message) string { return translateReason(lang, m) },
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		"roles": func(gs []zhidu.RoleGrant) string {
			parts := make([]string, len(gs))
			for i, g := range gs {
				parts[i] = label(lang, "role", string(g.Role)) + "@" + label(lang, "dept", string(g.Department))
			}
			return strings.Join(parts, lang2sep(lang))
		},
		"seq":    func(n int) []int { return make([]int, n) },
		"detail": func(d map[string]any) []kv { return auditDetail(lang, d) },
	}
}

func lang2sep(lang string) string {
	if lang == "en" {
		return ", "
	}
	return "、"
}

// render writes a page with the layout.
func (c *rc) render(status int, name string, p page) {
	p.Lang = c.lang
	p.HTMLLang = map[string]string{"zh": "zh-CN", "en": "en"}[c.lang]
	other := "en"
	if c.lang == "en" {
		other = "zh"
	}
	p.LangURL = "/lang?set=" + other + "&next=" + url.QueryEscape(c.r.URL.RequestURI())
	if c.me != nil {
		p.Me = c.me
		p.MeName = c.me.Name
		if c.lang == "en" && c.me.NameEn != "" {
			p.MeName = c.me.NameEn
		}
		p.Compliance = c.me.compliance()
		p.MatrixNav = c.me.matrixNav()
		p.ProbationNav = c.onProbation()
		p.CustomersNav = c.me.businessRole()
		if p.CSRF == "" && c.sess != nil {
			p.CSRF = c.sess.CSRF
		}
	}
	if p.Flash == "" {
		if k := c.r.URL.Query().Get("ok"); k != "" && hasKey("flash."+k) {
			p.Flash = c.T("flash." + k)
		}
	}
	p.Year = c.now().Year()
	var buf bytes.Buffer
	if err := c.pages[c.lang][name].ExecuteTemplate(&buf, "layout", p); err != nil {
		logErr(c.r, "render "+name, err)
		http.Error(c.w, "internal error", http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(buf.Bytes())
}

// T translates a catalogue key into the request's language.
func (c *rc) T(key string, args ...any) string { return translate(c.lang, key, args...) }

// errorView is the error page.
type errorView struct {
	Status  int
	Heading string
	Message string
}

// fail renders the error page.
func (c *rc) fail(status int, message string) {
	heading := c.T(fmt.Sprintf("error.status.%d", status))
	if !hasKey(fmt.Sprintf("error.status.%d", status)) {
		heading = c.T("error.status.500")
	}
	c.render(status, "error", page{Title: heading, Data: errorView{Status: status, Heading: heading, Message: message}})
}

// notFound is the one page for a missing object and for one the user may
// not see: the API does not tell them apart, and neither does this.
func (c *rc) notFound() {
	c.fail(http.StatusNotFound, c.T("error.not_found"))
}

// apiFail renders the API's error answer as a page with the same status.
func (c *rc) apiFail(res apiResult) {
	switch res.Status {
	case http.StatusNotFound:
		c.notFound()
	case http.StatusUnauthorized:
		http.Redirect(c.w, c.r, "/signin", http.StatusSeeOther)
	default:
		c.fail(res.Status, c.errMessage(res))
	}
}

// errMessage is an API error in the request's language.
func (c *rc) errMessage(res apiResult) string {
	if res.Err == nil || res.Err.Code == zhidu.CodeInternal || res.Status >= 500 {
		if res.Status == http.StatusServiceUnavailable {
			return c.T("error.unavailable")
		}
		return c.T("error.internal")
	}
	if res.Err.Code == zhidu.CodeInvalid && len(res.Err.Fields) > 0 {
		return c.T("error.fields")
	}
	return translateMessage(c.lang, res.Err.Said())
}
