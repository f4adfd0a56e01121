package grammar

import (
	"strings"

	"github.com/mizzle/mizzle/internal/sqlsplit"
)

// Routine is a CREATE FUNCTION or CREATE PROCEDURE statement, read with
// the migration lexer (so quotes, dollar quotes and comments hide what they
// hide there): the user's file for //mizzle:function, or what PostgreSQL's
// pg_get_functiondef prints.
type Routine struct {
	// Procedure says the statement is CREATE PROCEDURE.
	Procedure bool
	// Schema is the name's qualifier, "" when it has none; Name is the
	// name, unquoted (an unquoted one folded to lower case, as PostgreSQL
	// folds it); NameOff is its offset in the text.
	Schema, Name string
	NameOff      int
	// Args is the argument list as DROP FUNCTION takes it: each argument
	// without its DEFAULT, joined by ", ".
	Args string
	// Returns is the RETURNS clause's type, its tokens joined as
	// joinTokens joins them; "" when there is none (a procedure, OUT
	// arguments).
	Returns string
	// Signature is what CREATE OR REPLACE cannot change: the arguments as
	// declared and the result type, their tokens joined as joinTokens
	// joins them, so that white space and comments do not count.
	Signature string
	// Definition is the text after the name, from the "(" of the
	// arguments to the statement's end, without the semicolon.
	Definition string
}

// routineOptions are the words that end a RETURNS type: those that begin
// CREATE FUNCTION's options and body.
var routineOptions = map[string]bool{
	"language": true, "as": true, "immutable": true, "stable": true, "volatile": true, "strict": true,
	"called": true, "returns": true, "security": true, "external": true, "leakproof": true, "not": true,
	"cost": true, "rows": true, "support": true, "set": true, "parallel": true, "window": true,
	"transform": true, "begin": true, "return": true,
}

// ParseRoutine reads src, which must hold exactly one CREATE [OR REPLACE]
// FUNCTION or PROCEDURE statement. Errors are at the byte of src they
// concern.
func ParseRoutine(src string) (Routine, *OffsetError) {
	var r Routine
	stmts := sqlsplit.Split(src)
	switch {
	case len(stmts) == 0:
		return r, &OffsetError{0, "holds no statement: it must hold one CREATE FUNCTION or CREATE PROCEDURE statement"}
	case len(stmts) > 1:
		return r, &OffsetError{stmts[1].Offset, "holds a second statement: it must hold one CREATE FUNCTION or CREATE PROCEDURE statement alone"}
	}
	st := stmts[0]
	text := st.Text
	var toks []sqlsplit.Token
	for tok := range sqlsplit.Tokens(text) {
		if !tok.Comment {
			toks = append(toks, tok)
		}
	}
	i := 0
	word := func(w string) bool {
		if i < len(toks) && toks[i].Word && strings.EqualFold(toks[i].Text, w) {
			i++
			return true
		}
		return false
	}
	notRoutine := &OffsetError{st.Offset, "is not a CREATE FUNCTION or CREATE PROCEDURE statement"}
	if !word("create") {
		return r, notRoutine
	}
	if word("or") && !word("replace") {
		return r, notRoutine
	}
	switch {
	case word("function"):
	case word("procedure"):
		r.Procedure = true
	default:
		return r, notRoutine
	}
	name := func() (string, bool) {
		if i >= len(toks) {
			return "", false
		}
		t := toks[i]
		switch {
		case t.Word:
			i++
			return strings.ToLower(t.Text), true
		case len(t.Text) >= 2 && t.Text[0] == '"' && t.Text[len(t.Text)-1] == '"':
			i++
			return strings.ReplaceAll(t.Text[1:len(t.Text)-1], `""`, `"`), true
		}
		return "", false
	}
	if i >= len(toks) {
		return r, &OffsetError{st.Offset + len(text), "ends before the function's name"}
	}
	r.NameOff = st.Offset + toks[i].Offset
	n, ok := name()
	if !ok {
		return r, &OffsetError{r.NameOff, "expected the function's name, found " + quoteText(toks[i].Text)}
	}
	r.Name = n
	if i < len(toks) && toks[i].Text == "." {
		i++
		n, ok := name()
		if !ok {
			return r, &OffsetError{r.NameOff, "expected a name after the schema's"}
		}
		r.Schema, r.Name = r.Name, n
	}
	if i >= len(toks) || toks[i].Text != "(" {
		at := st.Offset + len(text)
		if i < len(toks) {
			at = st.Offset + toks[i].Offset
		}
		return r, &OffsetError{at, `expected "(" and the arguments after the function's name`}
	}
	open := toks[i].Offset
	end, _ := sqlsplit.ClosingParen(text, open)
	if end < 0 {
		return r, &OffsetError{st.Offset + open, "the argument list's parenthesis is never closed"}
	}
	r.Definition = strings.TrimSpace(text[open:])
	inside := text[open+1 : end]
	var args []string
	for _, part := range sqlsplit.SplitList(inside) {
		arg := part.Text
		depth := 0
		for tok := range sqlsplit.Tokens(arg) {
			switch {
			case tok.Text == "(" || tok.Text == "[":
				depth++
			case tok.Text == ")" || tok.Text == "]":
				depth--
			case depth == 0 && (tok.Text == "=" || tok.Word && strings.EqualFold(tok.Text, "default")):
				arg = arg[:tok.Offset]
			}
			if len(arg) <= tok.Offset {
				break
			}
		}
		if a := joinTokens(arg); a != "" {
			args = append(args, a)
		}
	}
	r.Args = strings.Join(args, ", ")
	// The RETURNS clause follows the arguments.
	for i < len(toks) && toks[i].Offset <= end {
		i++
	}
	if word("returns") {
		from := i
		depth := 0
		for ; i < len(toks); i++ {
			t := toks[i]
			if t.Text == "(" {
				depth++
			} else if t.Text == ")" {
				depth--
			} else if depth == 0 && t.Word && routineOptions[strings.ToLower(t.Text)] {
				break
			}
		}
		if i > from {
			r.Returns = joinTokens(text[toks[from].Offset : toks[i-1].Offset+len(toks[i-1].Text)])
		}
	}
	r.Signature = joinTokens(text[open : end+1])
	if r.Returns != "" {
		r.Signature += " RETURNS " + r.Returns
	}
	return r, nil
}

// joinTokens is s's tokens, comments left out, joined by single spaces,
// but for none inside parentheses and brackets, before a comma and around
// a dot: "(a numeric(10, 2), b s.t[])". White space between tokens then
// changes nothing.
func joinTokens(s string) string {
	var b strings.Builder
	prev := ""
	for tok := range sqlsplit.Tokens(s) {
		if tok.Comment {
			continue
		}
		t := tok.Text
		if prev != "" && prev != "(" && prev != "[" && prev != "." &&
			t != ")" && t != "]" && t != "," && t != "." && !(t == "(" && prevWordOrQuoted(prev)) && t != "[" {
			b.WriteByte(' ')
		}
		b.WriteString(t)
		prev = t
	}
	return b.String()
}

// prevWordOrQuoted reports whether a "(" after tok opens its arguments or
// modifiers (numeric(10, 2)), written without a space.
func prevWordOrQuoted(tok string) bool {
	c := tok[len(tok)-1]
	return c == '"' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func quoteText(s string) string {
	if len(s) > 20 {
		s = s[:20] + "..."
	}
	return `"` + s + `"`
}
