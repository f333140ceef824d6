package api

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// Credential resets no administrator completes alone. The system
// administrator's reset of the GM's, a deputy GM's or a top-secret-cleared
// account's token or password only records a pending request; then
//
//   - the account itself confirms it (POST /me/credential-resets/{id}/confirm)
//     and receives the new token, or sets its own new password — the
//     administrator never sees either; or
//   - the GM, when the account is not the GM, approves it with the same
//     call and receives the new token or a one-time password, to hand
//     over in person (the audit entry says so: delivered_to);
//   - either of them may reject it; unanswered, it expires
//     (Config.CredentialResetTTL).

// sensitive reports whether resetting u's credentials needs u's
// confirmation or the GM's approval.
func sensitive(u store.User) bool {
	return u.Actor().IsLeadership() || u.Clearance >= zhidu.TopSecret
}

// requestReset records a pending reset of u's credential and answers 202.
func (s *Server) requestReset(c *gin.Context, u store.User, kind string) {
	now := s.Now()
	r, err := s.Store.RequestCredentialReset(c.Request.Context(), s.change(c), u.Username, kind, now, now.Add(s.Config.CredentialResetTTL))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"reset": r,
		"message": "resetting this account's " + kind + " needs the account's own confirmation or the GM's approval; nothing changes until then"})
}

// listCredentialResets lists the caller's own reset requests and, for the
// GM, the pending requests for other accounts.
func (s *Server) listCredentialResets(c *gin.Context) {
	me := currentUser(c)
	rs, err := s.Store.CredentialResets(c.Request.Context(), me.Username, me.Actor().HasRole(zhidu.RoleGM), s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	if rs == nil {
		rs = []store.CredentialReset{}
	}
	c.JSON(http.StatusOK, gin.H{"items": rs})
}

// decidable loads a request the caller may decide: their own (as the
// account) or, for the GM, another account's. Others get 404.
func (s *Server) decidable(c *gin.Context) (store.CredentialReset, bool, bool) {
	me := currentUser(c)
	r, err := s.Store.CredentialResetByID(c.Request.Context(), c.Param("id"))
	if err == nil && r.Username != me.Username && !me.Actor().HasRole(zhidu.RoleGM) {
		err = zhidu.Errorf(zhidu.CodeNotFound, "credential reset %s not found", c.Param("id"))
	}
	if err != nil {
		fail(c, err)
		return r, false, false
	}
	return r, r.Username == me.Username, true
}

type confirmBody struct {
	// Password is the account's own new password (a password reset
	// confirmed by the account itself).
	Password string `json:"password"`
}

// confirmCredentialReset: the account confirms its own reset, or the GM
// approves another account's; the new credential goes to the caller.
func (s *Server) confirmCredentialReset(c *gin.Context) {
	var b confirmBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	r, own, ok := s.decidable(c)
	if !ok {
		return
	}
	me := currentUser(c)
	d := store.CredentialDecision{ID: r.ID, By: me.Username, Address: c.ClientIP(), State: store.ResetApproved,
		DeliveredTo: me.Username, At: s.Now()}
	if own {
		d.State = store.ResetConfirmed
	}
	out := gin.H{}
	switch {
	case r.Kind == store.CredentialToken:
		token := store.NewAPIToken()
		d.TokenHash, out["token"] = store.HashToken(token), token
	case own:
		if n := len([]rune(b.Password)); n < 10 || len(b.Password) > 72 {
			fail(c, invalid("password", zhidu.Plain("your new password: 10 to 72 bytes, at least 10 characters")))
			return
		}
		h, err := store.HashPassword(b.Password)
		if err != nil {
			fail(c, err)
			return
		}
		d.PasswordHash = h
	default:
		pw := oneTimePassword()
		h, err := store.HashPassword(pw)
		if err != nil {
			fail(c, err)
			return
		}
		d.PasswordHash, out["password"] = h, pw
	}
	done, err := s.Store.DecideCredentialReset(c.Request.Context(), d)
	if !s.usersChanged(c, err) {
		return
	}
	out["reset"] = done
	c.JSON(http.StatusOK, out)
}

// rejectCredentialReset: the account or the GM refuses a pending reset.
func (s *Server) rejectCredentialReset(c *gin.Context) {
	r, _, ok := s.decidable(c)
	if !ok {
		return
	}
	done, err := s.Store.DecideCredentialReset(c.Request.Context(), store.CredentialDecision{ID: r.ID,
		By: currentUser(c).Username, Address: c.ClientIP(), State: store.ResetRejected, At: s.Now()})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"reset": done})
}

// oneTimePassword is the password the GM receives for an account whose
// password reset they approve: 20 hexadecimal digits (80 bits).
func oneTimePassword() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
