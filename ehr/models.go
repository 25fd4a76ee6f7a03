package ehr

// The seven relations of SPEC §3 as read from their bun models (rows.go): the one
// place their columns are described. Everything that lists columns — CREATE TABLE,
// the bulk loader, the YAML fixtures, the reader's SELECT lists and NOT NULL checks —
// goes through relation and column below, by name, never by position.

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"
)

type colKind int

const (
	kInt colKind = iota
	kText
	kInstant
	kDate
	kBool
)

// column is one column of a model.
type column struct {
	rel      string
	name     string
	kind     colKind
	notNull  bool // SPEC §3 NOT NULL: a NULL read is a DataError
	nullZero bool // the zero Go value is written as NULL (or as def)
	def      any  // the SPEC default as a Go value (string, bool), nil if none
	field    *schema.Field
	index    int // the model's struct field (the models are flat)
}

// required is a value a writer must be given: NOT NULL without a default.
func (c *column) required() bool { return c.notNull && c.def == nil }

// relation is one SPEC §3 relation.
type relation struct {
	name   string
	typ    reflect.Type // the model struct
	table  *schema.Table
	cols   []*column
	byName map[string]*column
	pk     *column
}

// col returns the named column; it panics on a name the model does not have, which
// every test run would show.
func (r *relation) col(name string) *column {
	c, ok := r.byName[name]
	if !ok {
		panic(fmt.Sprintf("ehr: %s has no column %q", r.name, name))
	}
	return c
}

// names lists the column names in model order.
func (r *relation) names() []string {
	out := make([]string, len(r.cols))
	for i, c := range r.cols {
		out[i] = c.name
	}
	return out
}

// The relations, in load order.
var (
	relOffices      = newRelation((*OfficeRow)(nil))
	relClinicians   = newRelation((*ClinicianRow)(nil))
	relPatients     = newRelation((*PatientRow)(nil))
	relAppointments = newRelation((*AppointmentRow)(nil))
	relNotes        = newRelation((*NoteRow)(nil))
	relInvitations  = newRelation((*InvitationRow)(nil))
	relAPIWindows   = newRelation((*APIWindowRow)(nil))

	relations = []*relation{relOffices, relClinicians, relPatients, relAppointments,
		relNotes, relInvitations, relAPIWindows}
)

// Relations are the names of the seven relations of SPEC §3, in load order.
var Relations = func() []string {
	out := make([]string, len(relations))
	for i, r := range relations {
		out[i] = r.name
	}
	return out
}()

// relationByName returns the relation called name, or nil.
func relationByName(name string) *relation {
	for _, r := range relations {
		if r.name == name {
			return r
		}
	}
	return nil
}

// relationOf returns the relation of a model type.
func relationOf(t reflect.Type) *relation {
	for _, r := range relations {
		if r.typ == t {
			return r
		}
	}
	panic("ehr: not a model of SPEC §3: " + t.String())
}

// refTables is the models' metadata as bun reads it for PostgreSQL, whose types are
// SPEC §3's own; the SQLite store derives its DDL from the same fields (schema.go).
var refTables = pgdialect.New().Tables()

var timeType = reflect.TypeOf(time.Time{})

func newRelation(model any) *relation {
	typ := reflect.TypeOf(model).Elem()
	t := refTables.Get(typ)
	r := &relation{name: t.Name, typ: typ, table: t, byName: map[string]*column{}}
	for _, f := range t.Fields {
		if len(f.Index) != 1 {
			panic("ehr: " + t.Name + "." + f.Name + " is not a direct field of its model")
		}
		c := &column{rel: t.Name, name: f.Name, notNull: f.NotNull, nullZero: f.NullZero, field: f, index: f.Index[0]}
		switch {
		case f.IndirectType == timeType:
			c.kind = kInstant
		case strings.EqualFold(f.UserSQLType, "date"):
			c.kind = kDate
		case f.IndirectType.Kind() == reflect.Int64:
			c.kind = kInt
		case f.IndirectType.Kind() == reflect.Bool:
			c.kind = kBool
		case f.IndirectType.Kind() == reflect.String:
			c.kind = kText
		default:
			panic("ehr: unsupported column type " + f.IndirectType.String())
		}
		if d := f.SQLDefault; d != "" {
			switch c.kind {
			case kBool:
				c.def = strings.EqualFold(d, "true")
			case kText:
				c.def = strings.Trim(d, "'")
			default:
				panic("ehr: unsupported default on " + f.Name)
			}
		}
		if f.IsPK {
			r.pk = c
		}
		r.cols = append(r.cols, c)
		r.byName[c.name] = c
	}
	if r.pk == nil || r.pk.name != "id" {
		panic("ehr: " + r.name + " has no id primary key")
	}
	return r
}

// selectList returns "a, b, c" for rel's columns in model order, each through expr
// (e.g. a CAST on SQLite, a table alias), and the Scan destinations in the same order
// taken by name from dest. It panics unless dest names exactly the model's columns, so
// that the reader can never drift from the models.
func (r *relation) selectList(dest map[string]any, expr func(c *column) string) (string, []any) {
	if len(dest) != len(r.cols) {
		panic(fmt.Sprintf("ehr: %s: %d scan targets for %d columns", r.name, len(dest), len(r.cols)))
	}
	var b strings.Builder
	out := make([]any, len(r.cols))
	for i, c := range r.cols {
		d, ok := dest[c.name]
		if !ok {
			panic(fmt.Sprintf("ehr: %s: no scan target for column %s", r.name, c.name))
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(expr(c))
		out[i] = d
	}
	return b.String(), out
}

// scanned is the state every column scanner keeps (columns.go).
type scanned interface {
	state() (null bool, bad string)
}

// checkRow validates a scanned row of rel against the model: an unreadable value in
// any column, a NULL in a NOT NULL one. Columns are checked in model order, the id
// first, so that the message names the first bad column.
// checkRowOf is checkRow naming the row by its id column, formatted only for an error.
func (r *relation) checkRowOf(id *colInt, dest []any) error {
	for i, c := range r.cols {
		null, bad := dest[i].(scanned).state()
		if bad != "" || null && c.notNull {
			return check(r.name, rowID(id), c.name, null, bad, c.notNull)
		}
	}
	return nil
}

func (r *relation) checkRow(id string, dest []any) error {
	for i, c := range r.cols {
		null, bad := dest[i].(scanned).state()
		if err := check(r.name, id, c.name, null, bad, c.notNull); err != nil {
			return err
		}
	}
	return nil
}
