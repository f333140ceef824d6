package api

import (
	"errors"
	"io"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/payload"
)

// PayloadOpener decrypts payloads (see payload.Keyring).
type PayloadOpener interface {
	Open(p *commonpb.Payload) (plain *commonpb.Payload, o payload.Origin, encrypted bool, err error)
}

// codecPreflight answers the browser's CORS preflight of the codec
// endpoint (OPTIONS carries no credentials, so it is not a route of its
// own behind authentication).
func (s *Server) codecPreflight(c *gin.Context) {
	if c.Request.Method == http.MethodOptions && c.Request.URL.Path == "/api/v1/codec/decode" {
		s.codecCORS(c)
	}
}

// codecCORS lets the Temporal Web UIs of Config.CodecOrigins call the
// codec endpoint from the browser with the user's cookies, and answers
// their preflight requests.
func (s *Server) codecCORS(c *gin.Context) {
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	if origin := c.GetHeader("Origin"); origin != "" && slices.Contains(s.Config.CodecOrigins, origin) {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if c.Request.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization, Authorization-Extras")
		h.Set("Access-Control-Max-Age", "600")
		c.AbortWithStatus(http.StatusNoContent)
	}
}

// decodePayloads is the Temporal Web UI's remote codec: it decrypts the
// payloads posted ({"payloads":[…]}, protobuf JSON) for a signed-in user.
//
// Which process a payload belongs to is not taken from the request (the
// UI does not say): every encrypted payload carries the workflow ID it was
// sealed for, authenticated by its key, so it is known once it decrypts.
// The answer holds every payload decrypted, or nothing: 404 when one
// belongs to a process the caller may not read (or to another namespace,
// or to no process zhidu knows), 403 when one names no process at all
// (failure details; sealed outside any workflow) and the caller is not the
// GM or a deputy GM. Payloads that are not encrypted come back as they
// are. Each process decoded is an access decision like reading its page,
// audited the same way.
func (s *Server) decodePayloads(c *gin.Context) {
	if s.Payloads == nil {
		fail(c, zhidu.Errorf(zhidu.CodeNotFound, "no codec: payloads are not encrypted"))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			err = zhidu.Errorf(zhidu.CodeTooLarge, "request body is larger than %d bytes", tooBig.Limit)
		} else {
			err = zhidu.Errorf(zhidu.CodeInvalid, "cannot read request body")
		}
		fail(c, err)
		return
	}
	var in commonpb.Payloads
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, &in); err != nil {
		fail(c, invalid("payloads", zhidu.Plain("must be {\"payloads\":[…]} in protobuf JSON")))
		return
	}
	if ns := c.GetHeader("X-Namespace"); ns != "" && ns != s.Config.Namespace {
		fail(c, zhidu.Errorf(zhidu.CodeNotFound, "namespace %s is not zhidu's", ns))
		return
	}
	out := make([]*commonpb.Payload, len(in.Payloads))
	var processes []string
	unowned := false
	for i, p := range in.Payloads {
		plain, o, encrypted, err := s.Payloads.Open(p)
		if err != nil {
			fail(c, invalid("payloads", zhidu.Plain("a payload cannot be decrypted with zhidu's keys")))
			return
		}
		out[i] = plain
		switch {
		case !encrypted:
		case o.WorkflowID == "" && o.Namespace == "":
			unowned = true
		case o.Namespace != s.Config.Namespace || o.WorkflowID == "":
			fail(c, zhidu.Errorf(zhidu.CodeNotFound, "the payload belongs to no process of zhidu's"))
			return
		case !slices.Contains(processes, o.WorkflowID):
			processes = append(processes, o.WorkflowID)
		}
	}
	if unowned && !currentUser(c).Actor().IsLeadership() {
		s.deny(c, "payload.decode", "payload", zhidu.Plain("a payload that names no process is decoded for the GM and deputy GMs only"))
		return
	}
	for _, id := range processes {
		if _, ok := s.access(c, processRef(id), zhidu.ActRead, "process.decode"); !ok {
			return
		}
	}
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json", b)
}

var _ PayloadOpener = (*payload.Keyring)(nil)
