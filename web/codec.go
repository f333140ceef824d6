package web

import (
	"net/http"

	"github.com/zhidu/zhidu/api"
)

// codec passes the Temporal Web UI's codec requests to the API as the
// signed-in user: the UI's page (another origin) sends the browser's
// zhidu session cookie along (includeCredentials), and the API decides
// what that user may decode. Without a session the request goes through
// as it is — a bearer token, or nothing (401).
func (s *server) codec(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" && len(ck.Value) <= 100 {
		if se, err := s.st.Session(r.Context(), ck.Value, s.now()); err == nil {
			r = r.WithContext(api.AsUser(r.Context(), se.Username))
		}
	}
	s.api.ServeHTTP(w, r)
}
