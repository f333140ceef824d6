package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.json
var openAPIFile []byte

// openAPIParts are OpenAPI fragments ({"paths": …, "components": …}) of
// processes built only under a build tag — the test-only example of
// docs/ADDING_A_PROCESS.md —, each appended by its own file's init: the
// document the API serves is openapi.json with their path items and
// components added, so that openapi.json names no route a production build
// lacks. Without parts it is openapi.json byte for byte.
var openAPIParts [][]byte

var openAPI = sync.OnceValue(func() []byte {
	if len(openAPIParts) == 0 {
		return openAPIFile
	}
	doc, err := mergeOpenAPI(openAPIFile, openAPIParts...)
	if err != nil {
		panic("api: " + err.Error())
	}
	return doc
})

// OpenAPI returns the API's OpenAPI document.
func OpenAPI() []byte { return openAPI() }

func serveOpenAPI(c *gin.Context) { c.Data(http.StatusOK, "application/json", OpenAPI()) }

// mergeOpenAPI adds the parts' paths and components to the document; a
// part may add nothing else, and redefine nothing.
func mergeOpenAPI(base []byte, parts ...[]byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	for i, raw := range parts {
		var part map[string]any
		if err := json.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("OpenAPI part %d: %w", i, err)
		}
		for key, v := range part {
			from, ok := v.(map[string]any)
			if !ok || !slices.Contains([]string{"paths", "components"}, key) {
				return nil, fmt.Errorf("OpenAPI part %d: %q: a part adds paths and components only", i, key)
			}
			if key == "paths" {
				if err := addOpenAPI(doc, key, from); err != nil {
					return nil, fmt.Errorf("OpenAPI part %d: %w", i, err)
				}
				continue
			}
			into, _ := doc["components"].(map[string]any)
			for section, v := range from {
				entries, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("OpenAPI part %d: components.%s is not an object", i, section)
				}
				if err := addOpenAPI(into, section, entries); err != nil {
					return nil, fmt.Errorf("OpenAPI part %d: components.%w", i, err)
				}
			}
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// addOpenAPI adds entries to the object doc[section], which must not have
// them yet.
func addOpenAPI(doc map[string]any, section string, entries map[string]any) error {
	into, ok := doc[section].(map[string]any)
	if !ok {
		return fmt.Errorf("%s: the document has no such object", section)
	}
	for name, v := range entries {
		if _, dup := into[name]; dup {
			return fmt.Errorf("%s %q is in openapi.json already", section, name)
		}
		into[name] = v
	}
	return nil
}
