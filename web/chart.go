package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
)

// BarChart is a horizontal bar chart that the server draws as inline SVG:
// no script, no library, no request for anything. Each group is a row of
// the chart — its label on the left, one bar per series with its value
// written after it — so the chart reads without colour, and a legend
// names the series. The SVG is an image with a title and a description
// for screen readers; the page that shows it also shows its figures as a
// table (the fallback), which the description points to.
type BarChart struct {
	ID     string     // the svg element's id, and the prefix of its title's and description's ids
	Title  string     // the chart's accessible name, also drawn above it
	Desc   string     // what a screen reader says after the title: where the figures are as a table
	Series []string   // the bars of a group, in order; one series: one bar per group
	Groups []BarGroup // the rows of the chart, top to bottom
}

// BarGroup is one row of a bar chart: its label and a value per series.
type BarGroup struct {
	Label  string
	Values []float64
}

// The chart's geometry, in SVG user units (the svg scales to its box).
const (
	chartWidth   = 720
	chartLabelW  = 170 // the groups' labels, right-aligned
	chartValueW  = 56  // room for the value after the longest bar
	chartBarH    = 14
	chartBarGap  = 3
	chartGroupGp = 12
	chartTitleH  = 24
	chartLegendH = 22
)

// chartColours are the series' colours (repeating), dark enough for the
// white page; each bar also has its value written beside it.
var chartColours = []string{"#2f6fdf", "#e08a1e", "#2e9e6a", "#b44fc4", "#c2413b", "#5a6b85"}

// SVG draws the chart. Every text is escaped; an empty chart is an svg
// with its title only.
func (b BarChart) SVG() template.HTML {
	esc := html.EscapeString
	top := chartTitleH
	if len(b.Series) > 1 {
		top += chartLegendH
	}
	groupH := len(b.Series)*(chartBarH+chartBarGap) - chartBarGap + chartGroupGp
	height := top + len(b.Groups)*groupH + 4
	max := 0.0
	for _, g := range b.Groups {
		for _, v := range g.Values {
			if v > max {
				max = v
			}
		}
	}
	if max <= 0 {
		max = 1
	}
	barSpace := float64(chartWidth - chartLabelW - chartValueW - 8)

	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="%s" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-title %s-desc" font-family="system-ui, sans-serif" font-size="12">`,
		esc(b.ID), chartWidth, height, esc(b.ID), esc(b.ID))
	fmt.Fprintf(&s, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(b.ID), esc(b.Title), esc(b.ID), esc(b.Desc))
	fmt.Fprintf(&s, `<text x="0" y="16" font-size="14" font-weight="600" fill="#1f2937">%s</text>`, esc(b.Title))
	if len(b.Series) > 1 {
		x := chartLabelW
		for i, name := range b.Series {
			fmt.Fprintf(&s, `<g class="legend-item"><rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" fill="#1f2937">%s</text></g>`,
				x, chartTitleH+2, chartColours[i%len(chartColours)], x+16, chartTitleH+12, esc(name))
			x += 16 + 13*len([]rune(name)) + 18
		}
	}
	for gi, g := range b.Groups {
		y := top + gi*groupH
		mid := y + (groupH-chartGroupGp)/2 + 4
		fmt.Fprintf(&s, `<g class="bar-group" data-label="%s">`, esc(g.Label))
		fmt.Fprintf(&s, `<text class="bar-label" x="%d" y="%d" text-anchor="end" fill="#1f2937">%s</text>`, chartLabelW-8, mid, esc(g.Label))
		for si, name := range b.Series {
			v := 0.0
			if si < len(g.Values) {
				v = g.Values[si]
			}
			w := v / max * barSpace
			if v > 0 && w < 1 {
				w = 1
			}
			by := y + si*(chartBarH+chartBarGap)
			num := strconv.FormatFloat(v, 'f', -1, 64)
			fmt.Fprintf(&s, `<rect class="bar" data-series="%s" x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s · %s: %s</title></rect>`,
				esc(name), chartLabelW, by, w, chartBarH, chartColours[si%len(chartColours)], esc(g.Label), esc(name), num)
			fmt.Fprintf(&s, `<text class="bar-value" x="%.1f" y="%d" fill="#374151">%s</text>`, float64(chartLabelW)+w+4, by+chartBarH-3, num)
		}
		s.WriteString(`</g>`)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) // every text above is escaped
}
