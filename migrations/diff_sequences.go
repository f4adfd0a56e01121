package migrations

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mizzle/mizzle/internal/quote"
	"github.com/mizzle/mizzle/schema"
)

// Sequences.
type (
	// CreateSequence creates a standalone sequence.
	CreateSequence struct{ Sequence *schema.Sequence }
	// AlterSequence changes a sequence's type or options in place: its
	// current value is kept (a new START is only what a RESTART would go
	// back to). Type is set when the type changes.
	AlterSequence struct {
		Schema, Name string
		Type         string
		From, To     schema.SequenceValues
		// Options are the new options as the model holds them: a default
		// is written NO MINVALUE or NO MAXVALUE.
		Options *schema.SequenceOptions
	}
	// RenameSequence renames a sequence within its schema.
	RenameSequence struct {
		Schema, From, To string
		Aside            bool
	}
	// SetSequenceSchema moves a sequence to another schema.
	SetSequenceSchema struct{ From, Name, To string }
	// DropSequence drops a standalone sequence, without CASCADE: a default
	// that still draws from it makes the statement fail.
	DropSequence struct{ Schema, Name string }
	// SetColumnSequence changes the options of an identity column's
	// sequence (ALTER TABLE ... ALTER COLUMN ... SET ...) or of a serial
	// column's (ALTER SEQUENCE on the sequence the serial type created,
	// which PostgreSQL names table_column_seq).
	SetColumnSequence struct {
		Table    TableName
		Column   string
		Serial   bool
		From, To schema.SequenceValues
		Options  *schema.SequenceOptions
		// Restart makes the sequence of a serial column of a table just
		// created start at its START, as a sequence created with it would.
		Restart bool
		// Type is set when a serial column's type changes: unlike an
		// identity column's, its sequence keeps its type unless told.
		Type string
	}
	// DropSerialSequence drops the sequence of a column that stops being
	// serial, once its default is gone: the column owns it, so it would
	// otherwise stay until the column is dropped. IF EXISTS, as the name
	// is PostgreSQL's first choice (see serialSequenceName).
	DropSerialSequence struct {
		Table  TableName
		Column string
	}
)

func (CreateSequence) change()     {}
func (AlterSequence) change()      {}
func (RenameSequence) change()     {}
func (SetSequenceSchema) change()  {}
func (DropSequence) change()       {}
func (SetColumnSequence) change()  {}
func (DropSerialSequence) change() {}

// sequences renames, moves, alters and creates sequences, right after the
// schemas and extensions and before the tables, whose defaults may draw
// from them. Drops wait until what used them is gone (dropSequences).
func (d *differ) sequences() {
	curBy := map[QName]*schema.Sequence{}
	var olds, news []QName
	for _, s := range d.cur.Sequences {
		curBy[QName{s.Schema, s.Name}] = s
		olds = append(olds, QName{s.Schema, s.Name})
	}
	toBy := map[QName]*schema.Sequence{}
	for _, s := range d.to.Sequences {
		toBy[QName{s.Schema, s.Name}] = s
		news = append(news, QName{s.Schema, s.Name})
	}
	renames := d.pairNames("sequence", QName{}, olds, news, func(n QName) QName {
		s := toBy[n]
		if o := curBy[n]; o != nil && o.Was == s.Was {
			return QName{} // applied already, as an enum's (see enums)
		}
		return d.hintAcrossSchemas(olds, news, s.Schema, s.Name, s.Was)
	})
	// Moves first, then renames within the new schema.
	var rs []rename
	for _, ns := range d.to.Sequences {
		n := QName{ns.Schema, ns.Name}
		o, ok := renames[n]
		if !ok {
			continue
		}
		os := curBy[o]
		if os.Schema != ns.Schema {
			d.emit(SetSequenceSchema{From: os.Schema, Name: os.Name, To: ns.Schema})
			os.Schema = ns.Schema
		}
		if os.Name != ns.Name {
			rs = append(rs, rename{from: QName{ns.Schema, os.Name}, to: n})
		}
	}
	inUse := map[QName]bool{}
	for _, s := range d.cur.Sequences {
		inUse[QName{s.Schema, s.Name}] = true
	}
	for _, r := range sequence(rs, inUse) {
		s := d.cur.Sequence(r.from.Schema, r.from.Name)
		d.emit(RenameSequence{Schema: r.to.Schema, From: s.Name, To: r.to.Name, Aside: r.aside})
		s.Name = r.to.Name
	}
	for _, s := range d.to.Sequences {
		old := d.cur.Sequence(s.Schema, s.Name)
		if old == nil {
			d.emit(CreateSequence{Sequence: s})
			continue
		}
		from, to := old.Options.Values(old.Type), s.Options.Values(s.Type)
		if old.Type != s.Type || from != to {
			c := AlterSequence{Schema: s.Schema, Name: s.Name, From: from, To: to, Options: s.Options}
			if old.Type != s.Type {
				c.Type = s.Type
			}
			d.emit(c)
		}
	}
}

// dropSequences drops the sequences the new model lacks, once the tables
// and defaults that drew from them are gone.
func (d *differ) dropSequences() {
	for _, s := range d.cur.Sequences {
		if d.to.Sequence(s.Schema, s.Name) == nil {
			d.emit(DropSequence{Schema: s.Schema, Name: s.Name})
		}
	}
}

// columnSequence changes the options of the sequence of a column kept as
// identity or serial; old is the column as it is (nil for a new one: an
// identity column is created with its options, a serial one gets them
// set after), created says its table is new.
func (d *differ) columnSequence(tn TableName, old, col *schema.Column, created bool) {
	serial := col.Type.IsSerial()
	if col.Identity == schema.IdentityNone && !serial {
		return
	}
	typ := col.Type.Storage().Name
	retype := ""
	var from schema.SequenceValues
	switch {
	case old == nil && !serial:
		return // CREATE TABLE and ADD COLUMN spell the options
	case old == nil, col.Identity != schema.IdentityNone && old.Identity == schema.IdentityNone:
		// A new serial or identity (ADD GENERATED ... AS IDENTITY): its
		// sequence has the defaults.
		from = (*schema.SequenceOptions)(nil).Values(typ)
	case serial != old.Type.IsSerial():
		return // the column is dropped and added (needsRecreate)
	case serial && old.Type.Storage() != col.Type.Storage():
		// A serial's sequence keeps its type and bounds when the column's
		// type changes: it is given the new type, and the bounds that
		// were the old type's defaults become the new type's.
		from, retype = old.Sequence.Values(old.Type.Storage().Name), typ
	default:
		// An identity column's type change changed its sequence's too,
		// and with it the bounds that were the old type's.
		from = old.Sequence.Values(typ)
	}
	to := col.Sequence.Values(typ)
	if from != to || retype != "" {
		d.emit(SetColumnSequence{Table: tn, Column: col.Name, Serial: serial, From: from, To: to, Options: col.Sequence,
			Restart: created && serial && from.Start != to.Start, Type: retype})
	}
}

// sequenceClauses spells the options that differ between from and to, as
// ALTER SEQUENCE and ALTER COLUMN write them: an ALTER keeps the START it
// is not given.
func sequenceClauses(from, to schema.SequenceValues, o *schema.SequenceOptions) []string {
	if o == nil {
		o = &schema.SequenceOptions{}
	}
	var out []string
	if from.Increment != to.Increment {
		out = append(out, fmt.Sprintf("INCREMENT BY %d", to.Increment))
	}
	if from.Min != to.Min {
		if o.MinValue == nil {
			out = append(out, "NO MINVALUE")
		} else {
			out = append(out, fmt.Sprintf("MINVALUE %d", to.Min))
		}
	}
	if from.Max != to.Max {
		if o.MaxValue == nil {
			out = append(out, "NO MAXVALUE")
		} else {
			out = append(out, fmt.Sprintf("MAXVALUE %d", to.Max))
		}
	}
	if from.Start != to.Start {
		out = append(out, fmt.Sprintf("START WITH %d", to.Start))
	}
	if from.Cache != to.Cache {
		out = append(out, fmt.Sprintf("CACHE %d", to.Cache))
	}
	if from.Cycle != to.Cycle {
		if to.Cycle {
			out = append(out, "CYCLE")
		} else {
			out = append(out, "NO CYCLE")
		}
	}
	return out
}

// createClauses spells the options of a new sequence of type typ: those
// that are not defaults. Unlike ALTER, CREATE derives START from MINVALUE
// or MAXVALUE, so START is written when o sets it.
func createClauses(typ string, o *schema.SequenceOptions) []string {
	if o == nil {
		return nil
	}
	var cl []string
	if o.Increment != 0 && o.Increment != 1 {
		cl = append(cl, fmt.Sprintf("INCREMENT BY %d", o.Increment))
	}
	if o.MinValue != nil {
		cl = append(cl, fmt.Sprintf("MINVALUE %d", *o.MinValue))
	}
	if o.MaxValue != nil {
		cl = append(cl, fmt.Sprintf("MAXVALUE %d", *o.MaxValue))
	}
	if o.Start != nil {
		cl = append(cl, fmt.Sprintf("START WITH %d", *o.Start))
	}
	if o.Cache > 1 {
		cl = append(cl, fmt.Sprintf("CACHE %d", o.Cache))
	}
	if o.Cycle {
		cl = append(cl, "CYCLE")
	}
	return cl
}

// identityOptions spells an identity column's options in CREATE TABLE and
// ADD COLUMN: " (START WITH 100 INCREMENT BY 5)", or "" for the defaults.
func identityOptions(c *schema.Column) string {
	cl := createClauses(c.Type.Storage().Name, c.Sequence)
	if len(cl) == 0 {
		return ""
	}
	return " (" + strings.Join(cl, " ") + ")"
}

// serialSequenceName is the name PostgreSQL gives the sequence of a serial
// column (ChooseRelationName's first choice): table_column_seq, the longer
// of the two names shortened until it fits in 63 bytes. PostgreSQL picks
// another name when that one is taken, and keeps the name when the table
// or column is renamed later; ALTER SEQUENCE on this name then fails
// rather than change another sequence.
func serialSequenceName(table, column string) string {
	avail := schema.MaxIdentifierLength - len("_seq") - 1
	n1, n2 := len(table), len(column)
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	clip := func(s string, n int) string {
		for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n]
	}
	return clip(table, n1) + "_" + clip(column, n2) + "_seq"
}

// sequenceSQL spells the sequence changes:
//
//	CREATE SEQUENCE "public"."invoice_number_seq" AS bigint INCREMENT BY 10 START WITH 1000;
func sequenceSQL(c Change) (sql []string, warning string) {
	switch c := c.(type) {
	case CreateSequence:
		s := c.Sequence
		cl := createClauses(s.Type, s.Options)
		return []string{fmt.Sprintf("CREATE SEQUENCE %s AS %s%s;", quote.Ident(s.Schema, s.Name), s.Type, prefixed(cl))}, ""
	case AlterSequence:
		var cl []string
		if c.Type != "" {
			cl = append(cl, "AS "+c.Type)
		}
		cl = append(cl, sequenceClauses(c.From, c.To, c.Options)...)
		name := quote.Ident(c.Schema, c.Name)
		sql, warning := clampSQL(quote.Literal(name)+"::regclass", name, c.From, c.To)
		return append(sql, fmt.Sprintf("ALTER SEQUENCE %s%s;", name, prefixed(cl))), warning
	case RenameSequence:
		return []string{fmt.Sprintf("ALTER SEQUENCE %s RENAME TO %s;", quote.Ident(c.Schema, c.From), quote.Ident(c.To))}, swapWarning(c.Aside)
	case SetSequenceSchema:
		return []string{fmt.Sprintf("ALTER SEQUENCE %s SET SCHEMA %s;", quote.Ident(c.From, c.Name), quote.Ident(c.To))}, ""
	case DropSequence:
		return []string{fmt.Sprintf("DROP SEQUENCE %s;", quote.Ident(c.Schema, c.Name))},
			fmt.Sprintf("drops sequence %s and its current value; this fails while a default still draws from it", quote.Ident(c.Schema, c.Name))
	case SetColumnSequence:
		cl := sequenceClauses(c.From, c.To, c.Options)
		if c.Type != "" {
			cl = append([]string{"AS " + c.Type}, cl...)
		}
		if c.Restart {
			cl = append(cl, "RESTART")
		}
		if c.Serial {
			name := quote.Ident(c.Table.Schema, serialSequenceName(c.Table.Name, c.Column))
			alter := fmt.Sprintf("ALTER SEQUENCE %s%s;", name, prefixed(cl))
			if c.Restart {
				return []string{alter}, "" // the value RESTART sets is checked, not the current one
			}
			sql, warning := clampSQL(quote.Literal(name)+"::regclass", name, c.From, c.To)
			return append(sql, alter), warning
		}
		for i := range cl {
			cl[i] = "SET " + cl[i]
		}
		seq := fmt.Sprintf("pg_get_serial_sequence(%s, %s)::regclass", quote.Literal(c.Table.String()), quote.Literal(c.Column))
		sql, warning := clampSQL(seq, fmt.Sprintf("the sequence of %s.%s", c.Table.String(), quote.Ident(c.Column)), c.From, c.To)
		return append(sql, alterColumn(c.Table, c.Column, strings.Join(cl, " "))), warning
	case DropSerialSequence:
		return []string{fmt.Sprintf("DROP SEQUENCE IF EXISTS %s;", quote.Ident(c.Table.Schema, serialSequenceName(c.Table.Name, c.Column)))}, ""
	}
	return nil, ""
}

// clampSQL returns the statement that brings the current value of the
// sequence seq (an expression of type regclass; what names it for the
// warning) within to's bounds, when they are narrower than from's:
// PostgreSQL refuses to set a MINVALUE above the current value, or a
// MAXVALUE below it, rather than move it. The value goes to the nearest
// bound, unused, so that the next value is that bound. The current value
// is only known when the migration runs, hence a DO block that reads it.
func clampSQL(seq, what string, from, to schema.SequenceValues) (sql []string, warning string) {
	var conds, says []string
	if to.Min > from.Min {
		conds = append(conds, fmt.Sprintf("IF v < %d THEN PERFORM pg_catalog.setval(s, %d, false); END IF;", to.Min, to.Min))
		says = append(says, fmt.Sprintf("to %d if it is below", to.Min))
	}
	if to.Max < from.Max {
		conds = append(conds, fmt.Sprintf("IF v > %d THEN PERFORM pg_catalog.setval(s, %d, false); END IF;", to.Max, to.Max))
		says = append(says, fmt.Sprintf("to %d if it is above", to.Max))
	}
	if len(conds) == 0 {
		return nil, ""
	}
	body := fmt.Sprintf("DECLARE s regclass := %s; v bigint; BEGIN EXECUTE format('SELECT last_value FROM %%s', s) INTO v; %s END", seq, strings.Join(conds, " "))
	return []string{"DO " + quote.Literal(body) + ";"},
		fmt.Sprintf("moves the current value of %s %s, since the new bounds would refuse it", what, strings.Join(says, ", and "))
}

// prefixed joins clauses, each after a blank.
func prefixed(cl []string) string {
	if len(cl) == 0 {
		return ""
	}
	return " " + strings.Join(cl, " ")
}
