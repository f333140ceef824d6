package api

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/workflows"
)

// TestOpenAPIDocumentsEveryKind: every process descriptor's kind is a
// documented value of the start route's path parameter, with a start
// schema (<Kind>StartRequest) among the start body's alternatives.
func TestOpenAPIDocumentsEveryKind(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				In     string `json:"in"`
				Schema struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						OneOf []struct {
							Ref string `json:"$ref"`
						} `json:"oneOf"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	start := doc.Paths["/api/v1/processes/{id}"]["post"]
	var kinds []string
	for _, p := range start.Parameters {
		if p.In == "path" {
			kinds = p.Schema.Enum
		}
	}
	var refs []string
	for _, alt := range start.RequestBody.Content["application/json"].Schema.OneOf {
		refs = append(refs, alt.Ref)
	}
	for _, d := range workflows.Descriptors() {
		if !slices.Contains(kinds, d.Kind) {
			t.Errorf("kind %q is not a documented value of the start route's path parameter (%v)", d.Kind, kinds)
		}
		name := strings.ToUpper(d.Kind[:1]) + d.Kind[1:] + "StartRequest"
		if _, ok := doc.Components.Schemas[name]; !ok || !slices.Contains(refs, "#/components/schemas/"+name) {
			t.Errorf("kind %q: schema %s missing or not a start body alternative (%v)", d.Kind, name, refs)
		}
	}
}
