package web

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// The monthly customer statistics (《月来人来电统计成交状况分析表》): GET
// /api/v1/reports/customers as two tables — per department and per
// salesperson — each with a bar chart drawn on the server (BarChart) above
// it, and the CSV export passed through. Who may read it is the API's to
// say (department heads for their departments, the GM line for all); a
// refusal is its 403 as a page.

// reportView is the report page.
type reportView struct {
	Month      string
	MonthError string
	CSVURL     string
	Depts      []reportRow
	People     []reportRow
	DeptChart  template.HTML
	PeopleChrt template.HTML
	DeptTable  reportTable
	PeopleTbl  reportTable
}

// reportTable is one of the page's tables (and its charts' fallback).
type reportTable struct {
	ID     string
	People bool // a salesperson's rows: a column of their names
	Rows   []reportRow
}

// reportRow is one row of a table: a department's or a salesperson's.
type reportRow struct {
	store.CustomerFigures
	DeptLabel string
}

// reportSeries are the figures the charts draw, in their order.
var reportSeries = []string{"visitors", "calls", "new_customers", "deals"}

func (r reportRow) values() []float64 {
	return []float64{float64(r.Visitors), float64(r.Calls), float64(r.New), float64(r.Deals)}
}

// monthPattern is what the month input sends (the API checks it too).
var monthPattern = regexp.MustCompile(`^\d{4}-\d{2}$`)

func (s *server) customerReport(c *rc) {
	month := c.r.URL.Query().Get("month")
	q := url.Values{}
	if month != "" {
		q.Set("month", month)
	}
	var rep struct {
		Month string                  `json:"month"`
		Rows  []store.CustomerFigures `json:"rows"`
	}
	v := reportView{Month: month}
	res := c.get("/api/v1/reports/customers", q, &rep)
	status := http.StatusOK
	switch {
	case res.ok():
		v.Month = rep.Month
	case res.Status == http.StatusBadRequest && res.fields()["month"].Code != "":
		v.MonthError, status = translateMessage(c.lang, res.fields()["month"]), http.StatusBadRequest
	default:
		c.apiFail(res)
		return
	}
	if monthPattern.MatchString(v.Month) {
		v.CSVURL = "/reports/customers/csv?month=" + url.QueryEscape(v.Month)
	}
	for _, r := range rep.Rows {
		row := reportRow{CustomerFigures: r, DeptLabel: label(c.lang, "dept", string(r.Department))}
		if r.Salesperson == "" {
			v.Depts = append(v.Depts, row)
		} else {
			v.People = append(v.People, row)
		}
	}
	v.DeptTable = reportTable{ID: "table-departments", Rows: v.Depts}
	v.PeopleTbl = reportTable{ID: "table-salespeople", People: true, Rows: v.People}
	series := make([]string, len(reportSeries))
	for i, k := range reportSeries {
		series[i] = c.T("report." + k)
	}
	chart := func(id, title, table string, rows []reportRow, name func(reportRow) string) template.HTML {
		ch := BarChart{ID: id, Title: title, Desc: c.T("report.chart_desc", table), Series: series}
		for _, r := range rows {
			ch.Groups = append(ch.Groups, BarGroup{Label: name(r), Values: r.values()})
		}
		return ch.SVG()
	}
	if len(v.Depts) > 0 {
		v.DeptChart = chart("chart-departments", c.T("report.by_department")+" · "+v.Month, c.T("report.by_department"), v.Depts,
			func(r reportRow) string { return r.DeptLabel })
	}
	if len(v.People) > 0 {
		v.PeopleChrt = chart("chart-salespeople", c.T("report.by_salesperson")+" · "+v.Month, c.T("report.by_salesperson"), v.People,
			func(r reportRow) string { return r.Salesperson })
	}
	pg := pageFor(c, "customers", c.T("report.title"))
	pg.Data = v
	c.render(status, "customer_report", pg)
}

// customerReportCSV passes the report's CSV (format=csv) through to the
// browser, which holds a session and no bearer token.
func (s *server) customerReportCSV(c *rc) {
	q := url.Values{"format": {"csv"}}
	if m := c.r.URL.Query().Get("month"); m != "" {
		q.Set("month", m)
	}
	res := c.call(http.MethodGet, "/api/v1/reports/customers", q, nil)
	if !res.ok() {
		c.apiFail(res)
		return
	}
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		c.w.Header().Set(h, res.Header.Get(h))
	}
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(res.Body)
}

// reportPageLabels are the report page's labels.
var reportPageLabels = map[string]zhidu.Text{
	"report.title":          {Zh: "月来人来电统计成交状况分析表", En: "Monthly visitors, calls and deals"},
	"report.lead":           {Zh: "按部门和销售人员统计当月来访、来电、试驾、新登记客户和成交（只计您有权查看的档案）。", En: "Visits, calls, test drives, new customers and deals of the month per department and per salesperson (files you may read only)."},
	"report.month":          {Zh: "月份", En: "Month"},
	"report.show":           {Zh: "查看", En: "Show"},
	"report.csv":            {Zh: "导出 CSV", En: "Download CSV"},
	"report.by_department":  {Zh: "按部门", En: "Per department"},
	"report.by_salesperson": {Zh: "按销售人员", En: "Per salesperson"},
	"report.department":     {Zh: "部门", En: "Department"},
	"report.salesperson":    {Zh: "销售人员", En: "Salesperson"},
	"report.visitors":       {Zh: "来访", En: "Visitors"},
	"report.calls":          {Zh: "来电", En: "Calls"},
	"report.test_drives":    {Zh: "试驾", En: "Test drives"},
	"report.new_customers":  {Zh: "新客户", En: "New customers"},
	"report.deals":          {Zh: "成交", En: "Deals"},
	"report.empty":          {Zh: "该月没有记录。", En: "Nothing recorded in that month."},
	"report.chart_desc":     {Zh: "条形图；各项数字见下方「%s」表格。", En: "A bar chart; the figures are in the table “%s” below."},
}
