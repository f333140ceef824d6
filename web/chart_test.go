package web

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// TestBarChart: one bar per group and series, each group labelled and
// each bar's value written beside it, the title and description for
// screen readers, every text escaped, well-formed XML; an empty chart is
// its title only.
func TestBarChart(t *testing.T) {
	ch := BarChart{ID: "c1", Title: "来人来电 <月>", Desc: "数据见下表", Series: []string{"visitors", "deals"},
		Groups: []BarGroup{{Label: "sales.rep", Values: []float64{4, 1}}, {Label: "A&B", Values: []float64{0, 2.5}}, {Label: "x", Values: []float64{7}}}}
	svg := string(ch.SVG())
	if n := strings.Count(svg, `<rect class="bar" `); n != 6 {
		t.Errorf("%d bars, want 6 (3 groups × 2 series)", n)
	}
	if n := strings.Count(svg, `<g class="bar-group"`); n != 3 {
		t.Errorf("%d groups, want 3", n)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="c1-title c1-desc"`, `<title id="c1-title">来人来电 &lt;月&gt;</title>`,
		`<desc id="c1-desc">数据见下表</desc>`, `>A&amp;B</text>`, `>sales.rep</text>`, `>2.5</text>`, `>7</text>`, `<title>sales.rep · deals: 1</title>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the svg lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "style=") || strings.Contains(svg, "href") {
		t.Error("the svg has a script, an inline style or a link")
	}
	// The longest bar is the largest value's; a zero is no bar at all.
	if !strings.Contains(svg, `data-series="visitors" x="170" y="`) || !strings.Contains(svg, `width="486.0"`) || !strings.Contains(svg, `width="0.0"`) {
		t.Errorf("bar widths not scaled to the largest value:\n%s", svg)
	}
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
	}

	empty := string(BarChart{ID: "c2", Title: "空", Series: []string{"deals"}}.SVG())
	if strings.Contains(empty, `class="bar"`) || !strings.Contains(empty, ">空</text>") {
		t.Errorf("empty chart: %s", empty)
	}
	// One series: no legend.
	if one := string(BarChart{ID: "c3", Series: []string{"deals"}, Groups: []BarGroup{{Label: "a", Values: []float64{1}}}}.SVG()); strings.Contains(one, "legend-item") {
		t.Error("a one-series chart has a legend")
	}
}
