package studio

import "context"

// appDefault is the value an app-side default (gen:) gives a column of
// an insert that leaves it unset.
type appDefault struct {
	column int // in editTable.columns
	value  *string
}

// appDefaults returns the values of t's app-side defaults that an
// insert of values leaves unset.
func (s *Server) appDefaults(ctx context.Context, t *editTable, values map[string]EditValue) ([]appDefault, error) {
	return nil, nil
}
