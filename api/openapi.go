package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI document.
func OpenAPI() []byte { return openAPI }

func serveOpenAPI(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPI) }
